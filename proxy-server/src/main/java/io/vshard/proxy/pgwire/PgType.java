package io.vshard.proxy.pgwire;

import java.sql.Types;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The PostgreSQL types the proxy knows by OID: their names, fixed lengths and array element types, and the
 * mapping from what a JDBC backend reports ({@code getColumnTypeName}, then {@code getColumnType}) to an OID.
 */
enum PgType {
    BOOL(16, "bool", 1, 0),
    BYTEA(17, "bytea", -1, 0),
    CHAR(18, "char", 1, 0),
    NAME(19, "name", 64, 0),
    INT8(20, "int8", 8, 0),
    INT2(21, "int2", 2, 0),
    INT4(23, "int4", 4, 0),
    REGPROC(24, "regproc", 4, 0),
    TEXT(25, "text", -1, 0),
    OID(26, "oid", 4, 0),
    JSON(114, "json", -1, 0),
    XML(142, "xml", -1, 0),
    FLOAT4(700, "float4", 4, 0),
    FLOAT8(701, "float8", 8, 0),
    UNKNOWN(705, "unknown", -2, 0),
    BPCHAR(1042, "bpchar", -1, 0),
    VARCHAR(1043, "varchar", -1, 0),
    DATE(1082, "date", 4, 0),
    TIME(1083, "time", 8, 0),
    TIMESTAMP(1114, "timestamp", 8, 0),
    TIMESTAMPTZ(1184, "timestamptz", 8, 0),
    INTERVAL(1186, "interval", 16, 0),
    TIMETZ(1266, "timetz", 12, 0),
    NUMERIC(1700, "numeric", -1, 0),
    REGCLASS(2205, "regclass", 4, 0),
    REGTYPE(2206, "regtype", 4, 0),
    UUID(2950, "uuid", 16, 0),
    JSONB(3802, "jsonb", -1, 0),
    BOOL_ARRAY(1000, "_bool", -1, 16),
    BYTEA_ARRAY(1001, "_bytea", -1, 17),
    INT2_ARRAY(1005, "_int2", -1, 21),
    INT4_ARRAY(1007, "_int4", -1, 23),
    TEXT_ARRAY(1009, "_text", -1, 25),
    BPCHAR_ARRAY(1014, "_bpchar", -1, 1042),
    VARCHAR_ARRAY(1015, "_varchar", -1, 1043),
    INT8_ARRAY(1016, "_int8", -1, 20),
    FLOAT4_ARRAY(1021, "_float4", -1, 700),
    FLOAT8_ARRAY(1022, "_float8", -1, 701),
    OID_ARRAY(1028, "_oid", -1, 26),
    TIMESTAMP_ARRAY(1115, "_timestamp", -1, 1114),
    DATE_ARRAY(1182, "_date", -1, 1082),
    TIMESTAMPTZ_ARRAY(1185, "_timestamptz", -1, 1184),
    NUMERIC_ARRAY(1231, "_numeric", -1, 1700),
    UUID_ARRAY(2951, "_uuid", -1, 2950),
    JSONB_ARRAY(3807, "_jsonb", -1, 3802);

    private static final Map<Integer, PgType> BY_OID = new HashMap<>();
    private static final Map<String, PgType> BY_NAME = new HashMap<>();

    static {
        for (PgType type : values()) {
            BY_OID.put(type.oid, type);
            BY_NAME.put(type.typeName, type);
        }
        BY_NAME.put("\"char\"", CHAR);
        BY_NAME.put("serial", INT4);
        BY_NAME.put("bigserial", INT8);
        BY_NAME.put("smallserial", INT2);
    }

    final int oid;
    final String typeName;
    final short length;
    final int elementOid;

    PgType(int oid, String typeName, int length, int elementOid) {
        this.oid = oid;
        this.typeName = typeName;
        this.length = (short) length;
        this.elementOid = elementOid;
    }

    boolean isArray() {
        return elementOid != 0;
    }

    /** The known type with this OID, or null. */
    static PgType byOid(int oid) {
        return BY_OID.get(oid);
    }

    /** The type for a column as a JDBC backend describes it; TEXT when nothing better is known. */
    static PgType fromJdbc(String typeName, int jdbcType) {
        if (typeName != null) {
            PgType byName = BY_NAME.get(typeName.toLowerCase(Locale.ROOT));
            if (byName != null) {
                return byName;
            }
        }
        return fromJdbcType(jdbcType);
    }

    private static PgType fromJdbcType(int jdbcType) {
        switch (jdbcType) {
            case Types.BIT:
            case Types.BOOLEAN:
                return BOOL;
            case Types.TINYINT:
            case Types.SMALLINT:
                return INT2;
            case Types.INTEGER:
                return INT4;
            case Types.BIGINT:
                return INT8;
            case Types.REAL:
                return FLOAT4;
            case Types.FLOAT:
            case Types.DOUBLE:
                return FLOAT8;
            case Types.NUMERIC:
            case Types.DECIMAL:
                return NUMERIC;
            case Types.CHAR:
            case Types.NCHAR:
                return BPCHAR;
            case Types.VARCHAR:
            case Types.NVARCHAR:
            case Types.LONGVARCHAR:
            case Types.LONGNVARCHAR:
            case Types.CLOB:
                return VARCHAR;
            case Types.DATE:
                return DATE;
            case Types.TIME:
                return TIME;
            case Types.TIME_WITH_TIMEZONE:
                return TIMETZ;
            case Types.TIMESTAMP:
                return TIMESTAMP;
            case Types.TIMESTAMP_WITH_TIMEZONE:
                return TIMESTAMPTZ;
            case Types.BINARY:
            case Types.VARBINARY:
            case Types.LONGVARBINARY:
            case Types.BLOB:
                return BYTEA;
            default:
                return TEXT;
        }
    }
}
