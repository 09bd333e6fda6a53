package io.vshard.proxy.mysqlwire;

import java.sql.Types;
import java.util.Locale;

/** MySQL column type codes and column flags, and the mapping from JDBC types to them. */
final class FieldType {
    static final int DECIMAL = 0;
    static final int TINY = 1;
    static final int SHORT = 2;
    static final int LONG = 3;
    static final int FLOAT = 4;
    static final int DOUBLE = 5;
    static final int NULL = 6;
    static final int TIMESTAMP = 7;
    static final int LONGLONG = 8;
    static final int INT24 = 9;
    static final int DATE = 10;
    static final int TIME = 11;
    static final int DATETIME = 12;
    static final int YEAR = 13;
    static final int VARCHAR = 15;
    static final int BIT = 16;
    static final int JSON = 245;
    static final int NEWDECIMAL = 246;
    static final int ENUM = 247;
    static final int SET = 248;
    static final int TINY_BLOB = 249;
    static final int MEDIUM_BLOB = 250;
    static final int LONG_BLOB = 251;
    static final int BLOB = 252;
    static final int VAR_STRING = 253;
    static final int STRING = 254;
    static final int GEOMETRY = 255;

    static final int FLAG_NOT_NULL = 1;
    static final int FLAG_BLOB = 16;
    static final int FLAG_UNSIGNED = 32;
    static final int FLAG_BINARY = 128;
    static final int FLAG_AUTO_INCREMENT = 512;
    static final int FLAG_NUM = 32768;

    /** utf8mb4_general_ci: every text value leaves the proxy in UTF-8. */
    static final int CHARSET_UTF8MB4 = 45;

    static final int CHARSET_BINARY = 63;

    private FieldType() {}

    /** The MySQL type for a JDBC column; the type name disambiguates what JDBC folds together. */
    static int of(int jdbcType, String typeName, int precision) {
        String name = typeName == null ? "" : typeName.toUpperCase(Locale.ROOT);
        switch (jdbcType) {
            case Types.BIT:
            case Types.BOOLEAN:
                return precision <= 1 ? TINY : BIT;
            case Types.TINYINT:
                return TINY;
            case Types.SMALLINT:
                return name.startsWith("YEAR") ? YEAR : SHORT;
            case Types.INTEGER:
                return name.startsWith("MEDIUMINT") ? INT24 : LONG;
            case Types.BIGINT:
                return LONGLONG;
            case Types.REAL:
                return FLOAT;
            case Types.FLOAT:
            case Types.DOUBLE:
                return DOUBLE;
            case Types.DECIMAL:
            case Types.NUMERIC:
                return NEWDECIMAL;
            case Types.DATE:
                return name.startsWith("YEAR") ? YEAR : DATE;
            case Types.TIME:
                return TIME;
            case Types.TIMESTAMP:
            case Types.TIMESTAMP_WITH_TIMEZONE:
                return name.startsWith("TIMESTAMP") ? TIMESTAMP : DATETIME;
            case Types.CHAR:
            case Types.NCHAR:
            case Types.BINARY:
                return STRING;
            case Types.LONGVARCHAR:
            case Types.LONGNVARCHAR:
            case Types.CLOB:
            case Types.NCLOB:
            case Types.LONGVARBINARY:
            case Types.BLOB:
                return name.equals("JSON") ? JSON : BLOB;
            case Types.NULL:
                return NULL;
            default:
                return name.equals("JSON") ? JSON : VAR_STRING;
        }
    }

    static boolean isBinary(int jdbcType) {
        return jdbcType == Types.BINARY
                || jdbcType == Types.VARBINARY
                || jdbcType == Types.LONGVARBINARY
                || jdbcType == Types.BLOB;
    }

    static boolean isNumeric(int type) {
        return type == TINY
                || type == SHORT
                || type == LONG
                || type == INT24
                || type == LONGLONG
                || type == FLOAT
                || type == DOUBLE
                || type == NEWDECIMAL
                || type == DECIMAL
                || type == YEAR;
    }

    static boolean isText(int type) {
        return type == VAR_STRING
                || type == STRING
                || type == VARCHAR
                || type == BLOB
                || type == JSON
                || type == TINY_BLOB
                || type == MEDIUM_BLOB
                || type == LONG_BLOB
                || type == ENUM
                || type == SET;
    }
}
