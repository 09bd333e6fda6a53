package io.vshard.proxy.pgwire;

import io.vshard.engine.UntypedText;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Arrays;
import java.util.List;

/**
 * The Java values a Bind message's parameters become when the engine path binds them through
 * {@link PgParameterDecoder} onto a {@code jdbc:vshard:} statement, so the direct path routes a statement with
 * exactly the values the engine would see. Anything beyond plain setters (arrays, which need a connection) is
 * refused with {@link UnsupportedOperationException}, which sends the statement down the engine path. One per
 * session, used by one thread at a time.
 */
final class ParameterCapture implements InvocationHandler {

    private final PreparedStatement recorder = (PreparedStatement) Proxy.newProxyInstance(
            ParameterCapture.class.getClassLoader(), new Class<?>[] {PreparedStatement.class}, this);
    private Object[] values;

    /** The values of {@code bind}'s parameters for {@code statement}'s rewritten text, in JDBC order. */
    List<Object> of(PgStatement statement, FrontendMessage.Bind bind) throws SQLException {
        int[] order = statement.rewritten.parameterOrder();
        values = new Object[order.length];
        short[] formats = bind.parameterFormats();
        for (int k = 0; k < order.length; k++) {
            int n = order[k];
            boolean binary = formats.length != 0 && (formats.length == 1 ? formats[0] : formats[n]) == 1;
            PgParameterDecoder.bind(recorder, k + 1, bind.values().get(n), statement.parameterTypes[n], binary);
        }
        return Arrays.asList(values);
    }

    /**
     * The Java value of one parameter, as {@link #of} gives it.
     *
     * @param n the parameter's 0-based index in the client's Bind
     * @param value its bytes, or {@code null} for SQL NULL
     */
    Object one(PgStatement statement, int n, byte[] value, boolean binary) throws SQLException {
        values = new Object[1];
        PgParameterDecoder.bind(recorder, 1, value, statement.parameterTypes[n], binary);
        return values[0];
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
        String name = method.getName();
        if (!name.startsWith("set") || args == null || args.length < 2 || !(args[0] instanceof Integer index)) {
            throw new UnsupportedOperationException(name);
        }
        Object value = args[1];
        if (name.equals("setNull")) {
            value = null;
        } else if (name.equals("setObject")
                && args.length == 3
                && Integer.valueOf(Types.OTHER).equals(args[2])
                && value instanceof String text) {
            value = new UntypedText(text);
        }
        values[index - 1] = value;
        return null;
    }
}
