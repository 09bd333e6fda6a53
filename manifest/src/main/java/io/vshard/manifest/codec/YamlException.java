package io.vshard.manifest.codec;

/**
 * A YAML document (manifest or configuration) that is malformed or invalid. The message names the file,
 * the line and the field at fault, for example {@code v2.yaml:12: effective_window: '2025-47' is not an ISO
 * week id}.
 */
public class YamlException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final int line;
    private final String field;

    /**
     * Creates the exception.
     *
     * @param source the file name or another description of the document
     * @param line the 1-based line, or 0 when unknown
     * @param field the dotted field path, or {@code null} for the document as a whole
     * @param problem what is wrong and, where it helps, what is expected
     */
    public YamlException(String source, int line, String field, String problem) {
        super(source + (line > 0 ? ":" + line : "") + ": " + (field == null ? "" : field + ": ") + problem);
        this.source = source;
        this.line = line;
        this.field = field;
    }

    /** The document's name. */
    public String source() {
        return source;
    }

    /** The 1-based line, or 0. */
    public int line() {
        return line;
    }

    /** The dotted field path at fault, or {@code null}. */
    public String field() {
        return field;
    }
}
