package io.vshard.manifest.codec;

/** A manifest refused for its signature: unsigned, signed by an untrusted key, or altered after signing. */
public final class ManifestSignatureException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    /** Why a signature check failed. */
    public enum Reason {
        /** No signature block. */
        UNSIGNED,
        /** Signed by a key that is not trusted. */
        UNTRUSTED_KEY,
        /** The signature does not match the text. */
        TAMPERED
    }

    ManifestSignatureException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Why the check failed. */
    public Reason reason() {
        return reason;
    }
}
