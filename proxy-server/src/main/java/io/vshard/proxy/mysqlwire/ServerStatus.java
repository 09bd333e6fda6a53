package io.vshard.proxy.mysqlwire;

/** Status flags sent in OK and EOF packets. */
final class ServerStatus {
    static final int IN_TRANS = 1;
    static final int AUTOCOMMIT = 1 << 1;
    static final int MORE_RESULTS_EXISTS = 1 << 3;

    private ServerStatus() {}
}
