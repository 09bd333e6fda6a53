package io.vshard.manifest.function;

import java.util.Locale;

/** How a {@code mod_hash} layout turns a creator id into an unsigned 64-bit value before the modulus. */
public enum KeyHash {
    /** The creator id itself ({@code floorMod(id, N)}): what produced the real-world skew. */
    IDENTITY,
    /** XXH64 (seed 0) of the id's 8-byte big-endian encoding, taken unsigned. */
    XXH64;

    /** The name used in manifests. */
    public String manifestName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a manifest name, or returns {@code null} if unknown. */
    public static KeyHash fromManifestName(String name) {
        for (KeyHash h : values()) {
            if (h.manifestName().equals(name)) {
                return h;
            }
        }
        return null;
    }
}
