package io.vshard.demo;

import java.util.Locale;

/** A minimal JSON writer for the demo's report and the dashboard's state: objects, arrays, scalars. */
final class JsonText {
    private final StringBuilder sb = new StringBuilder();
    private boolean first = true;

    JsonText begin() {
        comma();
        sb.append('{');
        first = true;
        return this;
    }

    JsonText end() {
        sb.append('}');
        first = false;
        return this;
    }

    JsonText beginArray() {
        comma();
        sb.append('[');
        first = true;
        return this;
    }

    JsonText endArray() {
        sb.append(']');
        first = false;
        return this;
    }

    /** Starts a member; the next call writes its value. */
    JsonText key(String name) {
        comma();
        string(name);
        sb.append(':');
        first = true;
        return this;
    }

    JsonText value(String s) {
        comma();
        if (s == null) {
            sb.append("null");
        } else {
            string(s);
        }
        return this;
    }

    JsonText value(long n) {
        comma();
        sb.append(n);
        return this;
    }

    JsonText value(double d) {
        comma();
        sb.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.4f", d) : "null");
        return this;
    }

    JsonText value(boolean b) {
        comma();
        sb.append(b);
        return this;
    }

    /** Writes {@code json}, already valid JSON, as the next value. */
    JsonText rawValue(String json) {
        comma();
        sb.append(json);
        return this;
    }

    JsonText field(String name, String v) {
        return key(name).value(v);
    }

    JsonText field(String name, long v) {
        return key(name).value(v);
    }

    JsonText field(String name, double v) {
        return key(name).value(v);
    }

    JsonText field(String name, boolean v) {
        return key(name).value(v);
    }

    @Override
    public String toString() {
        return sb.toString();
    }

    private void comma() {
        if (!first) {
            sb.append(',');
        }
        first = false;
    }

    private void string(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
