package io.vshard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The manifest commands against the committed, signed scenario manifests. */
class ManifestCommandTest {
    static final Path SCENARIO = Path.of("..", "conf", "scenario");

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = VShardCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void committedScenarioManifestsVerify() {
        for (String v : new String[] {"v1.yaml", "v2.yaml"}) {
            Run r = run(
                    "manifest",
                    "verify",
                    SCENARIO.resolve("manifests").resolve(v).toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("OK:").contains("signed by trusted key");
        }
    }

    @Test
    void oneChangedByteFailsNamingTheSignature(@TempDir Path dir) throws IOException {
        String text = Files.readString(SCENARIO.resolve("manifests/v2.yaml"));
        Path altered = dir.resolve("v2.yaml");
        Files.writeString(altered, text.replace("weight: 15", "weight: 16"));
        Run r = run(
                "manifest",
                "verify",
                altered.toString(),
                "--trusted-key",
                SCENARIO.resolve("manifest-key.pub").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("signature check failed").contains("altered after signing");
    }

    @Test
    void unknownFieldAndBadWindowAreNamed(@TempDir Path dir) throws IOException {
        String text = Files.readString(SCENARIO.resolve("manifests/v2.yaml"));
        Path unknown = dir.resolve("unknown.yaml");
        Files.writeString(unknown, text.replace("version: 2\n", "version: 2\nflavour: mint\n"));
        Run r = run(
                "manifest",
                "verify",
                unknown.toString(),
                "--trusted-key",
                SCENARIO.resolve("manifest-key.pub").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("unknown.yaml:2: flavour: unknown field");
        Path window = dir.resolve("window.yaml");
        Files.writeString(window, text.replace("\"2027_W10\"", "\"next monday\""));
        r = run(
                "manifest",
                "verify",
                window.toString(),
                "--trusted-key",
                SCENARIO.resolve("manifest-key.pub").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("effective_window").contains("not an ISO week id");
    }

    @Test
    void keygenSignVerifyRoundTrip(@TempDir Path dir) throws IOException {
        assertThat(run("manifest", "keygen", "--out", dir.resolve("k").toString())
                        .code())
                .isZero();
        Path m = dir.resolve("m.yaml");
        String text = Files.readString(SCENARIO.resolve("manifests/v1.yaml"));
        Files.writeString(m, text.substring(0, text.indexOf("signature:")));
        Run unsigned = run("manifest", "verify", m.toString());
        assertThat(unsigned.code()).isNotZero();
        assertThat(unsigned.err()).contains("unsigned");
        assertThat(run(
                                "manifest",
                                "sign",
                                m.toString(),
                                "--key",
                                dir.resolve("k.key").toString())
                        .code())
                .isZero();
        Run ok = run("manifest", "verify", m.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        Run other = run(
                "manifest",
                "verify",
                m.toString(),
                "--trusted-key",
                SCENARIO.resolve("manifest-key.pub").toString());
        assertThat(other.code()).isNotZero();
        assertThat(other.err()).contains("not trusted");
        assertThat(run("manifest", "show", m.toString()).out()).contains("identity(creator_id) % 64");
    }
}
