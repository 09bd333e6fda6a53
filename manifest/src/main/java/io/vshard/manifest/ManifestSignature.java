package io.vshard.manifest;

/**
 * An Ed25519 signature over a manifest's canonical form.
 *
 * @param keyId the signing key's id: the first 16 hex digits of SHA-256 of its X.509 encoding
 * @param signature the base64 signature
 */
public record ManifestSignature(String keyId, String signature) {}
