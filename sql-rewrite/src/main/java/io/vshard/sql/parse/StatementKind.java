package io.vshard.sql.parse;

/** What a statement is, as far as the lexer can tell from its leading words. */
public enum StatementKind {
    /** SELECT, WITH, VALUES, TABLE, or a parenthesized query. */
    QUERY,
    /** INSERT or REPLACE. */
    INSERT,
    /** UPDATE. */
    UPDATE,
    /** DELETE. */
    DELETE,
    /** CREATE, ALTER, DROP, TRUNCATE, COMMENT, GRANT, REVOKE, RENAME. */
    DDL,
    /** Transaction control. */
    TRANSACTION,
    /** SET, SHOW, RESET, USE, DISCARD and similar. */
    SESSION,
    /** A vshard admin command (or something close enough to be a typo of one). */
    ADMIN,
    /** Anything else (COPY, CALL, DO, LOCK, VACUUM, ...). */
    OTHER
}
