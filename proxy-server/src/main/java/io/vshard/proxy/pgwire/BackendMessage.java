package io.vshard.proxy.pgwire;

import java.util.List;
import java.util.Map;

/** One server message of the PostgreSQL v3 protocol; written by {@link PgBackendEncoder}. */
sealed interface BackendMessage {

    /** The single byte answering SSLRequest or GSSENCRequest ('N' = declined). */
    record EncryptionResponse(byte answer) implements BackendMessage {}

    /** 'R' authentication request; {@code data} follows the int32 code (salt, mechanism list, SASL data). */
    record Authentication(int code, byte[] data) implements BackendMessage {
        static final int OK = 0;
        static final int CLEARTEXT = 3;
        static final int MD5 = 5;
        static final int SASL = 10;
        static final int SASL_CONTINUE = 11;
        static final int SASL_FINAL = 12;
    }

    /** 'S' ParameterStatus. */
    record ParameterStatus(String name, String value) implements BackendMessage {}

    /** 'K' BackendKeyData. */
    record BackendKeyData(int processId, int secretKey) implements BackendMessage {}

    /** 'Z' ReadyForQuery with 'I', 'T' or 'E'. */
    record ReadyForQuery(byte status) implements BackendMessage {}

    /** One column of a RowDescription. */
    record Field(String name, int typeOid, short typeLength, int typeModifier, short format) {}

    /** 'T' RowDescription. */
    record RowDescription(List<Field> fields) implements BackendMessage {}

    /** 'D' DataRow; a null entry is SQL NULL. */
    record DataRow(List<byte[]> values) implements BackendMessage {}

    /** 'C' CommandComplete. */
    record CommandComplete(String tag) implements BackendMessage {}

    /** 'I' EmptyQueryResponse. */
    record EmptyQueryResponse() implements BackendMessage {}

    /** 'E' ErrorResponse or 'N' NoticeResponse: field code to value, in order. */
    record ErrorOrNotice(boolean error, Map<Character, String> fields) implements BackendMessage {}

    /** '1' ParseComplete. */
    record ParseComplete() implements BackendMessage {}

    /** '2' BindComplete. */
    record BindComplete() implements BackendMessage {}

    /** '3' CloseComplete. */
    record CloseComplete() implements BackendMessage {}

    /** 'n' NoData. */
    record NoData() implements BackendMessage {}

    /** 't' ParameterDescription. */
    record ParameterDescription(int[] typeOids) implements BackendMessage {}

    /** 's' PortalSuspended. */
    record PortalSuspended() implements BackendMessage {}
}
