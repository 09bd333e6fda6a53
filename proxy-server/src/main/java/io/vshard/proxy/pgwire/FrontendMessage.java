package io.vshard.proxy.pgwire;

import java.util.List;
import java.util.Map;

/** One decoded client message of the PostgreSQL v3 protocol; produced by {@link PgFrontendDecoder}. */
sealed interface FrontendMessage {

    /** SSLRequest (startup phase). */
    record SslRequest() implements FrontendMessage {}

    /** GSSENCRequest (startup phase). */
    record GssEncRequest() implements FrontendMessage {}

    /** StartupMessage with its parameters in the client's order. */
    record Startup(int protocolVersion, Map<String, String> parameters) implements FrontendMessage {}

    /** CancelRequest sent on a fresh connection. */
    record CancelRequest(int processId, int secretKey) implements FrontendMessage {}

    /** 'p': password, SASLInitialResponse or SASLResponse; what it means depends on the auth state. */
    record PasswordMessage(byte[] body) implements FrontendMessage {}

    /** 'Q': simple query, possibly several statements. */
    record Query(String sql) implements FrontendMessage {}

    /** 'P': Parse. */
    record Parse(String statement, String sql, int[] parameterTypes) implements FrontendMessage {}

    /** 'B': Bind; a null entry in {@code values} is SQL NULL. */
    record Bind(String portal, String statement, short[] parameterFormats, List<byte[]> values, short[] resultFormats)
            implements FrontendMessage {}

    /** 'D': Describe a statement ('S') or portal ('P'). */
    record Describe(byte kind, String name) implements FrontendMessage {}

    /** 'E': Execute with a row limit (0 = all rows). */
    record Execute(String portal, int maxRows) implements FrontendMessage {}

    /** 'C': Close a statement ('S') or portal ('P'). */
    record Close(byte kind, String name) implements FrontendMessage {}

    /** 'S': Sync. */
    record Sync() implements FrontendMessage {}

    /** 'H': Flush. */
    record Flush() implements FrontendMessage {}

    /** 'X': Terminate. */
    record Terminate() implements FrontendMessage {}
}
