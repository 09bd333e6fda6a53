package io.vshard.proxy.pgwire;

/** How the proxy authenticates clients; {@code SCRAM_SHA_256} unless the config asks otherwise. */
public enum PgAuthMethod {
    SCRAM_SHA_256,
    MD5,
    CLEARTEXT,
    /** No password at all; for local tests only. */
    TRUST
}
