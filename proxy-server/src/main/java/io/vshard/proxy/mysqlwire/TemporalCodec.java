package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The binary protocol's DATE, DATETIME and TIME values, both directions. */
final class TemporalCodec {
    private static final Pattern TIME = Pattern.compile("(-)?(\\d+):(\\d{2}):(\\d{2})(?:\\.(\\d{1,6}))?");

    private TemporalCodec() {}

    static void writeDate(ByteBuf out, LocalDate date) {
        out.writeByte(4);
        out.writeShortLE(date.getYear());
        out.writeByte(date.getMonthValue());
        out.writeByte(date.getDayOfMonth());
    }

    static void writeDateTime(ByteBuf out, LocalDateTime value) {
        out.writeByte(11);
        out.writeShortLE(value.getYear());
        out.writeByte(value.getMonthValue());
        out.writeByte(value.getDayOfMonth());
        out.writeByte(value.getHour());
        out.writeByte(value.getMinute());
        out.writeByte(value.getSecond());
        out.writeIntLE(value.getNano() / 1000);
    }

    /** Writes a TIME given as MySQL text ({@code [-]H+:MM:SS[.ffffff]}), which may exceed 24 hours. */
    static void writeTime(ByteBuf out, String text) {
        Matcher m = TIME.matcher(text.trim());
        if (!m.matches()) {
            out.writeByte(0);
            return;
        }
        long hours = Long.parseLong(m.group(2));
        String fraction = m.group(5) == null ? "" : m.group(5);
        int micros = fraction.isEmpty() ? 0 : Integer.parseInt((fraction + "00000").substring(0, 6));
        out.writeByte(12);
        out.writeByte(m.group(1) != null ? 1 : 0);
        out.writeIntLE((int) (hours / 24));
        out.writeByte((int) (hours % 24));
        out.writeByte(Integer.parseInt(m.group(3)));
        out.writeByte(Integer.parseInt(m.group(4)));
        out.writeIntLE(micros);
    }

    /** Reads a binary DATE, DATETIME or TIMESTAMP parameter (length byte first). */
    static LocalDateTime readDateTime(ByteBuf in) {
        int length = in.readUnsignedByte();
        WireFormat.need(in, length);
        if (length == 0) {
            return LocalDateTime.of(0, 1, 1, 0, 0);
        }
        int year = in.readUnsignedShortLE();
        int month = in.readUnsignedByte();
        int day = in.readUnsignedByte();
        int hour = 0;
        int minute = 0;
        int second = 0;
        int micros = 0;
        if (length >= 7) {
            hour = in.readUnsignedByte();
            minute = in.readUnsignedByte();
            second = in.readUnsignedByte();
        }
        if (length >= 11) {
            micros = in.readIntLE();
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, micros * 1000);
        } catch (java.time.DateTimeException e) {
            throw new MalformedPacketException("invalid date parameter");
        }
    }

    /** Reads a binary TIME parameter as a {@link LocalTime}, or as text when it leaves 00:00..23:59. */
    static Object readTime(ByteBuf in) {
        int length = in.readUnsignedByte();
        WireFormat.need(in, length);
        if (length == 0) {
            return LocalTime.MIDNIGHT;
        }
        boolean negative = in.readUnsignedByte() == 1;
        long days = in.readUnsignedIntLE();
        int hour = in.readUnsignedByte();
        int minute = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        int micros = length >= 12 ? in.readIntLE() : 0;
        if (!negative && days == 0 && hour < 24 && minute < 60 && second < 60 && micros >= 0 && micros < 1_000_000) {
            return LocalTime.of(hour, minute, second, micros * 1000);
        }
        return String.format("%s%d:%02d:%02d.%06d", negative ? "-" : "", days * 24 + hour, minute, second, micros);
    }
}
