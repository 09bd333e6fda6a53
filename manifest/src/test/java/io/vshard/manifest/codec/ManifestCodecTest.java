package io.vshard.manifest.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.function.GeoAwareHash;
import io.vshard.manifest.window.WindowId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {

    static String resource(String name) {
        try (InputStream in = ManifestCodecTest.class.getResourceAsStream("/manifests/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static TrustedKeys scenarioKeys() {
        return new TrustedKeys(List.of(ManifestSigner.decodePublic(resource("manifest-key.pub"))));
    }

    @Test
    void scenarioManifestsVerify() {
        Manifest v1 = scenarioKeys().verify("v1.yaml", resource("v1.yaml"));
        Manifest v2 = scenarioKeys().verify("v2.yaml", resource("v2.yaml"));
        assertThat(v1.shardFunction().describe()).isEqualTo("identity(creator_id) % 64");
        assertThat(v2.shardFunction()).isInstanceOf(GeoAwareHash.class);
        assertThat(v2.previousVersion()).isEqualTo(1);
        assertThat(v2.effectiveWindow()).isEqualTo(WindowId.parse("2027_W10"));
        assertThat(v2.locate(100)).isEqualTo(new ShardLocation("db_d", "shard_100"));
        assertThat(v1.locate(47)).isEqualTo(v2.locate(47));
    }

    @Test
    void oneChangedByteIsATamperedSignature() {
        String text = resource("v2.yaml");
        for (int i = 0; i < text.indexOf("signature:"); i += 7) {
            char c = text.charAt(i);
            char replacement = Character.isDigit(c) ? (c == '9' ? '8' : (char) (c + 1)) : c == ' ' ? '\t' : 'x';
            String altered = text.substring(0, i) + replacement + text.substring(i + 1);
            assertThatThrownBy(() -> scenarioKeys().verify("v2.yaml", altered))
                    .as("byte %d", i)
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> {
                        if (e instanceof ManifestSignatureException s) {
                            assertThat(s.reason()).isEqualTo(ManifestSignatureException.Reason.TAMPERED);
                            assertThat(s).hasMessageContaining("signature check failed");
                        } else {
                            assertThat(e).isInstanceOf(YamlException.class);
                        }
                    });
        }
    }

    @Test
    void unsignedAndUntrustedAreRefusedSayingWhich() {
        String unsigned = resource("v2.yaml").substring(0, resource("v2.yaml").indexOf("signature:"));
        assertThatThrownBy(() -> scenarioKeys().verify("v2.yaml", unsigned))
                .isInstanceOf(ManifestSignatureException.class)
                .hasMessageContaining("unsigned");
        KeyPair other = ManifestSigner.generateKeyPair();
        Manifest m = ManifestCodec.parse("v2.yaml", unsigned);
        String signedByOther = ManifestCodec.write(ManifestSigner.sign(m, other.getPrivate(), other.getPublic()));
        assertThatThrownBy(() -> scenarioKeys().verify("v2.yaml", signedByOther))
                .isInstanceOf(ManifestSignatureException.class)
                .hasMessageContaining("not trusted")
                .hasMessageContaining(ManifestSigner.keyId(other.getPublic()));
        assertThat(new TrustedKeys(List.of(other.getPublic()))
                        .verify("v2.yaml", signedByOther)
                        .version())
                .isEqualTo(2);
    }

    @Test
    void unknownFieldIsNamedWithItsLine() {
        String text = resource("v1.yaml").replace("  hash: identity\n", "  hash: identity\n  colour: blue\n");
        assertThatThrownBy(() -> ManifestCodec.parse("v1.yaml", text))
                .isInstanceOf(YamlException.class)
                .hasMessage("v1.yaml:6: shard_function.colour: unknown field");
    }

    @Test
    void effectiveWindowMustBeAnIsoWeek() {
        String text = resource("v2.yaml").replace("\"2027_W10\"", "\"2027-03-08\"");
        assertThatThrownBy(() -> ManifestCodec.parse("v2.yaml", text))
                .isInstanceOf(YamlException.class)
                .hasMessageContaining("effective_window")
                .hasMessageContaining("ISO week id")
                .hasMessageStartingWith("v2.yaml:3");
    }

    @Test
    void validationNamesTheField() {
        String v2 = resource("v2.yaml");
        assertThatThrownBy(() -> ManifestCodec.parse("m", v2.replace("previous_version: 1", "previous_version: 5")))
                .hasMessageContaining("previous_version");
        assertThatThrownBy(() -> ManifestCodec.parse("m", v2.replace("shards: \"96-127\"", "shards: \"96-126\"")))
                .hasMessageContaining("logical shard 127 is not placed");
        assertThatThrownBy(() -> ManifestCodec.parse("m", v2.replace("shards: \"96-127\"", "shards: \"90-127\"")))
                .hasMessageContaining("placed twice");
        assertThatThrownBy(() -> ManifestCodec.parse("m", v2.replace("default_region: NA", "default_region: MARS")))
                .hasMessageContaining("default_region");
        assertThatThrownBy(() -> ManifestCodec.parse("m", v2.replace("kind: geo_aware_hash", "kind: geo")))
                .hasMessageContaining("shard_function.kind");
        assertThatThrownBy(() -> ManifestCodec.parse("m", v2.replace("  batch_rows: 1000\n", "  batch_rows: lots\n")))
                .hasMessageContaining("migration.batch_rows")
                .hasMessageContaining("'lots' is not an integer");
        assertThatThrownBy(() -> ManifestCodec.parse("m", v2.replace("boundary_start: \"2027-03-01T00:00:00Z\"\n", "")))
                .hasMessageContaining("boundary_start: required field is missing");
        assertThatThrownBy(() -> ManifestCodec.parse("m", "version: [1\n")).hasMessageContaining("not valid YAML");
    }

    @Test
    void canonicalFormRoundTrips() {
        Manifest m = ManifestCodec.parse("v2.yaml", resource("v2.yaml"));
        assertThat(ManifestCodec.write(m)).isEqualTo(resource("v2.yaml"));
        assertThat(ManifestCodec.parse("again", ManifestCodec.write(m))).isEqualTo(m);
    }
}
