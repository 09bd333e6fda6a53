package io.vshard.proxy.mysqlwire;

import java.io.ByteArrayOutputStream;
import java.sql.PreparedStatement;

/**
 * One statement prepared with COM_STMT_PREPARE: the JDBC statement behind it, the parameter types the
 * client bound last (kept across executions that do not resend them), and long data sent so far.
 */
final class ServerStatement {
    private final PreparedStatement jdbc;
    private final String sql;
    private final int parameterCount;
    private final boolean generatesKeys;
    private final int[] parameterTypes;
    private final ByteArrayOutputStream[] longData;
    /** The engine's route plan of this statement when one parameter routes it, looked up on first relay. */
    private io.vshard.engine.PointRead pointRead;

    private boolean pointReadKnown;

    ServerStatement(PreparedStatement jdbc, String sql, int parameterCount, boolean generatesKeys) {
        this.jdbc = jdbc;
        this.sql = sql;
        this.parameterCount = parameterCount;
        this.generatesKeys = generatesKeys;
        this.parameterTypes = new int[parameterCount];
        this.longData = new ByteArrayOutputStream[parameterCount];
    }

    /**
     * The statement's point-read route from {@code engine} ({@link io.vshard.engine.Engine#pointRead}), asked once
     * per statement, or {@code null} when executions must be routed one by one.
     */
    io.vshard.engine.PointRead pointRead(io.vshard.engine.Engine engine) {
        if (!pointReadKnown) {
            pointRead = engine.pointRead(sql);
            pointReadKnown = true;
        }
        return pointRead;
    }

    PreparedStatement jdbc() {
        return jdbc;
    }

    /** The statement text as the client prepared it. */
    String sql() {
        return sql;
    }

    /** Whether any parameter has long data pending. */
    boolean hasLongData() {
        for (ByteArrayOutputStream d : longData) {
            if (d != null) {
                return true;
            }
        }
        return false;
    }

    int parameterCount() {
        return parameterCount;
    }

    boolean generatesKeys() {
        return generatesKeys;
    }

    int[] parameterTypes() {
        return parameterTypes;
    }

    void appendLongData(int parameter, byte[] data) {
        if (parameter < 0 || parameter >= parameterCount) {
            return;
        }
        if (longData[parameter] == null) {
            longData[parameter] = new ByteArrayOutputStream();
        }
        longData[parameter].writeBytes(data);
    }

    /** The long data of a parameter, or {@code null} when none was sent. */
    byte[] longData(int parameter) {
        return longData[parameter] == null ? null : longData[parameter].toByteArray();
    }

    void clearLongData() {
        java.util.Arrays.fill(longData, null);
    }
}
