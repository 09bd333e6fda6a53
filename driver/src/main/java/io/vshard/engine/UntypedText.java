package io.vshard.engine;

/**
 * A parameter given as text for the backend to parse as whatever type the statement needs
 * ({@code setObject(i, text, Types.OTHER)}): bound on the shard as such, not as a varchar. A
 * {@link CharSequence}, so a shard key given this way is read from its text.
 *
 * @param text the value's text form
 */
public record UntypedText(String text) implements CharSequence {
    @Override
    public int length() {
        return text.length();
    }

    @Override
    public char charAt(int index) {
        return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return text.subSequence(start, end);
    }

    @Override
    public String toString() {
        return text;
    }
}
