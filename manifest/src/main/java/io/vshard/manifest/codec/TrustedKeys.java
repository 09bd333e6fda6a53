package io.vshard.manifest.codec;

import io.vshard.manifest.Manifest;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The public keys whose manifests a router accepts, and the check a manifest file must pass before it is
 * used: signed, by a trusted key, over exactly the canonical form the file holds. Immutable, thread safe.
 */
public final class TrustedKeys {
    private final Map<String, PublicKey> byId = new LinkedHashMap<>();

    /** Trusts the given keys. */
    public TrustedKeys(List<PublicKey> keys) {
        for (PublicKey k : keys) {
            byId.put(ManifestSigner.keyId(k), k);
        }
    }

    /** The trusted key ids. */
    public List<String> keyIds() {
        return List.copyOf(byId.keySet());
    }

    /**
     * Parses a manifest file and checks its signature.
     *
     * @param source the file name for messages
     * @param text the file's text
     * @return the verified manifest
     * @throws YamlException if the manifest is invalid
     * @throws ManifestSignatureException if it is unsigned, signed by an untrusted key, or altered after signing
     */
    public Manifest verify(String source, String text) {
        Manifest m = ManifestCodec.parse(source, text);
        if (m.signature() == null) {
            throw new ManifestSignatureException(
                    ManifestSignatureException.Reason.UNSIGNED,
                    source + ": manifest v" + m.version() + " is unsigned; sign it with `vshard manifest sign`");
        }
        PublicKey key = byId.get(m.signature().keyId());
        if (key == null) {
            throw new ManifestSignatureException(
                    ManifestSignatureException.Reason.UNTRUSTED_KEY,
                    source
                            + ": manifest v" + m.version() + " is signed by key "
                            + m.signature().keyId()
                            + ", which is not trusted (trusted: " + String.join(", ", byId.keySet()) + ")");
        }
        String canonical = ManifestCodec.write(m);
        if (!ManifestSigner.verifies(
                        ManifestCodec.canonicalBody(m), m.signature().signature(), key)
                || !canonical.equals(text)) {
            throw new ManifestSignatureException(
                    ManifestSignatureException.Reason.TAMPERED,
                    source
                            + ": signature check failed for manifest v" + m.version()
                            + ": the text differs from what key "
                            + m.signature().keyId() + " signed" + firstDifference(canonical, text)
                            + "; the file was altered after signing");
        }
        return m;
    }

    private static String firstDifference(String canonical, String text) {
        if (canonical.equals(text)) {
            return "";
        }
        int line = 1;
        int n = Math.min(canonical.length(), text.length());
        for (int i = 0; i < n; i++) {
            if (canonical.charAt(i) != text.charAt(i)) {
                return " (first difference at line " + line + ")";
            }
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return " (first difference at line " + line + ")";
    }
}
