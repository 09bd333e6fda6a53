package io.vshard.cli;

import picocli.CommandLine;

/** Reports the build's version from the jar manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = VShardCommand.class.getPackage().getImplementationVersion();
        return new String[] {"vshard " + (v == null ? "development build" : v)};
    }
}
