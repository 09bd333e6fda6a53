package io.vshard.sql.route;

import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Place;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.window.WindowId;
import io.vshard.sql.RoutingException;
import io.vshard.sql.parse.Scan;
import java.lang.reflect.Array;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shards a key condition resolves to, each through {@link Placement#locate}, with the alternatives that
 * chose each shard (to split an IN list per shard).
 *
 * @param shards the shards, in first-seen order; every shard of the live versions when the key is unknown
 * @param altsByShard for each shard the indexes of the alternatives placed there (empty when scattered)
 * @param places for each resolved key alternative its place and key (for writes)
 * @param inList the IN-list slots, when the alternatives are exactly that list
 * @param scan the statement
 */
record Targets(
        List<LogicalShard> shards,
        Map<LogicalShard, List<Integer>> altsByShard,
        List<Located> places,
        int[] inList,
        Scan scan) {

    /** One key alternative located. */
    record Located(TableRule rule, ShardKey key, WindowId window, Place place) {}

    boolean scattered() {
        return altsByShard.isEmpty();
    }

    static Targets of(
            Scan scan, List<Object> parameters, RoutingState state, List<TableRule> sharded, Cond cond, boolean write) {
        if (!pins(cond)) {
            return new Targets(Placement.allShards(state), Map.of(), List.of(), null, scan);
        }
        Targets one = one(scan, parameters, state, sharded, cond);
        if (one != null) {
            return one;
        }
        Map<LogicalShard, List<Integer>> by = new LinkedHashMap<>();
        List<Located> places = new ArrayList<>();
        boolean arrays = false;
        for (int i = 0; i < cond.alts().size(); i++) {
            Alt alt = cond.alts().get(i);
            Object raw = alt.creator().resolve(scan, parameters);
            List<Object> creators = alt.array() ? elements(raw) : java.util.Collections.singletonList(raw);
            arrays |= alt.array();
            String region = alt.region() == null ? null : str(alt.region().resolve(scan, parameters));
            WindowId window = alt.window() == null ? null : window(alt.window().resolve(scan, parameters));
            for (Object c : creators) {
                if (c == null) {
                    if (write) {
                        throw new RoutingException("0A000", "the shard key must not be NULL", 1);
                    }
                    return new Targets(Placement.allShards(state), Map.of(), List.of(), null, scan);
                }
                ShardKey key = ShardKey.of(ShardKey.creatorIdOf(c), region);
                for (TableRule rule : sharded) {
                    WindowId w = rule.windowed() ? window : null;
                    Place place = Placement.locate(state, rule, key, w);
                    places.add(new Located(rule, key, w, place));
                    for (LogicalShard s : place.candidates()) {
                        List<Integer> alts = by.computeIfAbsent(s, k -> new ArrayList<>());
                        if (alts.isEmpty() || alts.get(alts.size() - 1) != i) {
                            alts.add(i);
                        }
                    }
                }
            }
        }
        int[] in = !arrays
                        && cond.inList() != null
                        && cond.inList().length == cond.alts().size()
                ? cond.inList()
                : null;
        return new Targets(new ArrayList<>(by.keySet()), by, places, in, scan);
    }

    private static final List<Integer> FIRST = List.of(0);

    /**
     * The common case without the general case's maps and lists (it runs for every point select and
     * single-row write): one key value, one sharded table, one candidate shard; {@code null} otherwise.
     */
    private static Targets one(
            Scan scan, List<Object> parameters, RoutingState state, List<TableRule> sharded, Cond cond) {
        if (cond.alts().size() != 1 || sharded.size() != 1) {
            return null;
        }
        Alt alt = cond.alts().get(0);
        if (alt.array()) {
            return null;
        }
        Object creator = alt.creator().resolve(scan, parameters);
        if (creator == null) {
            return null;
        }
        String region = alt.region() == null ? null : str(alt.region().resolve(scan, parameters));
        TableRule rule = sharded.get(0);
        WindowId window = alt.window() == null ? null : window(alt.window().resolve(scan, parameters));
        WindowId w = rule.windowed() ? window : null;
        ShardKey key = ShardKey.of(ShardKey.creatorIdOf(creator), region);
        Place place = Placement.locate(state, rule, key, w);
        if (place.candidates().size() != 1) {
            return null;
        }
        LogicalShard shard = place.candidates().get(0);
        int[] in = cond.inList() != null && cond.inList().length == 1 ? cond.inList() : null;
        return new Targets(List.of(shard), Map.of(shard, FIRST), List.of(new Located(rule, key, w, place)), in, scan);
    }

    /** Whether every alternative names a creator. */
    static boolean pins(Cond cond) {
        if (!cond.known() || cond.alts().isEmpty()) {
            return false;
        }
        for (Alt a : cond.alts()) {
            if (a.creator() == null) {
                return false;
            }
        }
        return true;
    }

    /** Rewrites the IN list to hold only the values placed on {@code shard}; false when nothing changes. */
    boolean splitInList(Splice s, LogicalShard shard) {
        List<Integer> alts = altsByShard.get(shard);
        if (inList == null || alts == null || alts.size() == inList.length) {
            return false;
        }
        List<int[]> items = items(scan.slotToken(inList[0]));
        if (items.size() != inList.length) {
            return false;
        }
        List<Splice.Piece> pieces = new ArrayList<>();
        for (int k = 0; k < alts.size(); k++) {
            if (k > 0) {
                pieces.add(Splice.Piece.text(", "));
            }
            int[] item = items.get(alts.get(k));
            pieces.add(Splice.Piece.range(item[0], item[1]));
        }
        s.replace(items.get(0)[0], items.get(items.size() - 1)[1], pieces);
        return true;
    }

    /** The token ranges of the items of the parenthesized list holding token {@code inside}. */
    private List<int[]> items(int inside) {
        List<io.vshard.sql.parse.Token> tokens = scan.tokens();
        int open = inside;
        int depth = 0;
        while (open > 0) {
            open--;
            var k = tokens.get(open).kind();
            if (k == io.vshard.sql.parse.Token.Kind.RPAREN) {
                depth++;
            } else if (k == io.vshard.sql.parse.Token.Kind.LPAREN && depth-- == 0) {
                break;
            }
        }
        List<int[]> out = new ArrayList<>();
        int start = open + 1;
        depth = 0;
        for (int i = open + 1; i < tokens.size(); i++) {
            var k = tokens.get(i).kind();
            if (k == io.vshard.sql.parse.Token.Kind.LPAREN) {
                depth++;
            } else if (k == io.vshard.sql.parse.Token.Kind.RPAREN && depth-- == 0) {
                out.add(new int[] {start, i - 1});
                return out;
            } else if (k == io.vshard.sql.parse.Token.Kind.COMMA && depth == 0) {
                out.add(new int[] {start, i - 1});
                start = i + 1;
            }
        }
        return List.of();
    }

    private static List<Object> elements(Object array) {
        Object a = array;
        if (a instanceof java.sql.Array sqlArray) {
            try {
                a = sqlArray.getArray();
            } catch (SQLException e) {
                throw new RoutingException("22023", "cannot read the array parameter: " + e.getMessage(), 1);
            }
        }
        if (a instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        if (a != null && a.getClass().isArray()) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < Array.getLength(a); i++) {
                out.add(Array.get(a, i));
            }
            return out;
        }
        if (a instanceof String text && text.startsWith("{") && text.endsWith("}")) {
            List<Object> out = new ArrayList<>();
            for (String part : text.substring(1, text.length() - 1).split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            return out;
        }
        throw new RoutingException("0A000", "= ANY(...) on the shard key needs an array parameter", 1);
    }

    private static String str(Object v) {
        return v == null ? null : v.toString();
    }

    static WindowId window(Object v) {
        if (v == null) {
            return null;
        }
        try {
            return WindowId.parse(v.toString());
        } catch (IllegalArgumentException e) {
            throw new RoutingException("22P02", e.getMessage(), 1);
        }
    }
}
