package io.vshard.manifest.codec;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML mapping read field by field, strictly: every field read is marked, and {@link #finish()} refuses
 * any field that was not, so a typo in a manifest is an error rather than a silently ignored line. Every
 * error names the file, the line and the dotted field path. Not thread safe.
 */
public final class YamlMapping {
    private final String source;
    private final String path;
    private final int line;
    private final Map<String, Node> fields = new LinkedHashMap<>();
    private final Set<String> read = new LinkedHashSet<>();

    private YamlMapping(String source, String path, MappingNode node) {
        this.source = source;
        this.path = path;
        this.line = lineOf(node);
        for (NodeTuple t : node.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode key)) {
                throw new YamlException(source, lineOf(t.getKeyNode()), path, "keys must be plain names");
            }
            if (fields.put(key.getValue(), t.getValueNode()) != null) {
                throw new YamlException(source, lineOf(key), qualify(key.getValue()), "appears twice");
            }
        }
    }

    /**
     * Parses a document whose top level is a mapping.
     *
     * @throws YamlException if the text is not YAML or its top level is not a mapping
     */
    public static YamlMapping parse(String source, String text) {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
        } catch (RuntimeException e) {
            throw new YamlException(
                    source, 0, null, "not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (!(root instanceof MappingNode m)) {
            throw new YamlException(source, root == null ? 1 : lineOf(root), null, "expected a mapping of fields");
        }
        return new YamlMapping(source, "", m);
    }

    /** The document name. */
    public String source() {
        return source;
    }

    /** The 1-based line of this mapping. */
    public int line() {
        return line;
    }

    /** Whether the field is present. */
    public boolean has(String name) {
        return fields.containsKey(name);
    }

    /** The field names in document order. */
    public List<String> names() {
        return List.copyOf(fields.keySet());
    }

    /** A required scalar field. */
    public String string(String name) {
        return scalar(name, required(name));
    }

    /** An optional scalar field, or {@code fallback}. */
    public String string(String name, String fallback) {
        Node n = optional(name);
        return n == null ? fallback : scalar(name, n);
    }

    /** A required integer field. */
    public long integer(String name) {
        return convert(name, string(name), Long::parseLong, "an integer");
    }

    /** An optional integer field. */
    public long integer(String name, long fallback) {
        return has(name) ? integer(name) : fallback;
    }

    /** A required number field. */
    public double number(String name) {
        return convert(name, string(name), Double::parseDouble, "a number");
    }

    /** An optional number field. */
    public double number(String name, double fallback) {
        return has(name) ? number(name) : fallback;
    }

    /** An optional boolean field. */
    public boolean bool(String name, boolean fallback) {
        if (!has(name)) {
            return fallback;
        }
        String v = string(name);
        return switch (v) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(name, "'" + v + "' is not true or false");
        };
    }

    /** Converts a field's text, turning a conversion failure into an error naming the field. */
    public <T> T convert(String name, String text, Function<String, T> parser, String expected) {
        try {
            return parser.apply(text);
        } catch (RuntimeException e) {
            String detail = e.getMessage() == null || e instanceof NumberFormatException ? "" : ": " + e.getMessage();
            throw error(name, "'" + text + "' is not " + expected + detail);
        }
    }

    /** A required nested mapping. */
    public YamlMapping mapping(String name) {
        Node n = required(name);
        if (!(n instanceof MappingNode m)) {
            throw error(name, "expected a mapping of fields");
        }
        return new YamlMapping(source, qualify(name), m);
    }

    /** An optional nested mapping, or {@code null}. */
    public YamlMapping mappingOrNull(String name) {
        return has(name) ? mapping(name) : null;
    }

    /** A required sequence of mappings. */
    public List<YamlMapping> mappings(String name) {
        List<YamlMapping> out = new ArrayList<>();
        int i = 0;
        for (Node item : sequence(name)) {
            if (!(item instanceof MappingNode m)) {
                throw new YamlException(source, lineOf(item), qualify(name) + "[" + i + "]", "expected a mapping");
            }
            out.add(new YamlMapping(source, qualify(name) + "[" + i + "]", m));
            i++;
        }
        return out;
    }

    /** A required sequence of scalars. */
    public List<String> strings(String name) {
        List<String> out = new ArrayList<>();
        for (Node item : sequence(name)) {
            if (!(item instanceof ScalarNode s)) {
                throw new YamlException(source, lineOf(item), qualify(name), "expected a list of values");
            }
            out.add(s.getValue());
        }
        return out;
    }

    /** Entries of a nested mapping whose values are mappings, keyed by field name, in document order. */
    public Map<String, YamlMapping> mappingsByName(String name) {
        YamlMapping outer = mapping(name);
        Map<String, YamlMapping> out = new LinkedHashMap<>();
        for (String key : outer.names()) {
            out.put(key, outer.mapping(key));
        }
        return out;
    }

    /** An error about field {@code name} of this mapping, at its line. */
    public YamlException error(String name, String problem) {
        Node n = fields.get(name);
        return new YamlException(source, n == null ? line : lineOf(n), qualify(name), problem);
    }

    /** Refuses any field that was not read: unknown fields are errors, not ignored. */
    public void finish() {
        for (Map.Entry<String, Node> e : fields.entrySet()) {
            if (!read.contains(e.getKey())) {
                throw new YamlException(source, lineOf(e.getValue()), qualify(e.getKey()), "unknown field");
            }
        }
    }

    private List<Node> sequence(String name) {
        Node n = required(name);
        if (!(n instanceof SequenceNode s)) {
            throw error(name, "expected a list");
        }
        return s.getValue();
    }

    private Node required(String name) {
        Node n = optional(name);
        if (n == null) {
            throw new YamlException(source, line, qualify(name), "required field is missing");
        }
        return n;
    }

    private Node optional(String name) {
        read.add(name);
        return fields.get(name);
    }

    private String scalar(String name, Node n) {
        if (!(n instanceof ScalarNode s)) {
            throw error(name, "expected a single value");
        }
        return s.getValue();
    }

    private String qualify(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static int lineOf(Node n) {
        return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }
}
