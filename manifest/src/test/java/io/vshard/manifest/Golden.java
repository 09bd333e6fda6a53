package io.vshard.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the committed golden vector files (tab-separated, {@code #} comments). */
public final class Golden {
    private Golden() {}

    /** A scenario manifest from the test resources, parsed (not verified). */
    public static io.vshard.manifest.Manifest manifest(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/manifests/" + name)) {
            return io.vshard.manifest.codec.ManifestCodec.parse(
                    name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The non-comment rows of a golden file, split on tabs. */
    public static List<String[]> rows(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing golden file " + name);
            }
            List<String[]> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.split("\t", -1));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
