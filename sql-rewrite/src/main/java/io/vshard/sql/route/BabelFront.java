package io.vshard.sql.route;

import io.vshard.manifest.config.TableRules;
import io.vshard.sql.RoutingException;
import io.vshard.sql.parse.Scan;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.validate.SqlConformanceEnum;

/** Parses the Calcite text of a scan with the Babel parser and analyzes it; maps failures to SQLSTATEs. */
final class BabelFront {
    private static final SqlParser.Config CONFIG = SqlParser.config()
            .withParserFactory(SqlBabelParserImpl.FACTORY)
            .withConformance(SqlConformanceEnum.BABEL)
            .withQuoting(Quoting.DOUBLE_QUOTE)
            .withCaseSensitive(false)
            .withUnquotedCasing(Casing.UNCHANGED)
            .withQuotedCasing(Casing.UNCHANGED);

    private BabelFront() {}

    static Analysis analyze(TableRules rules, Scan scan) {
        SqlNode node;
        try {
            node = SqlParser.create(scan.calciteText(), CONFIG).parseStmt();
        } catch (SqlParseException e) {
            throw refusal(scan, e);
        }
        return new Analyzer(rules, scan).analyze(node);
    }

    private static RoutingException refusal(Scan scan, SqlParseException e) {
        int offset = e.getPos() == null
                ? 0
                : scan.offsetOf(e.getPos().getLineNum(), e.getPos().getColumnNum());
        int token = scan.tokenAt(offset);
        String sql = scan.sql();
        boolean atEnd =
                token >= scan.tailToken() - 1 || String.valueOf(e.getMessage()).contains("Encountered \"<EOF>\"");
        if (atEnd || token == 0 || !balanced(scan)) {
            String near =
                    token < scan.tokens().size() ? scan.tokens().get(token).text(sql) : "end of input";
            return new RoutingException("42601", "syntax error at or near \"" + near + "\"", offset + 1);
        }
        String construct = scan.tokens().get(token).text(sql);
        return new RoutingException(
                "0A000",
                "vshard cannot route this statement on a sharded table: the construct" + " at \"" + construct
                        + "\" is not supported; run it per shard or rewrite it",
                offset + 1);
    }

    private static boolean balanced(Scan scan) {
        int depth = 0;
        for (var t : scan.tokens()) {
            depth += switch (t.kind()) {
                case LPAREN -> 1;
                case RPAREN -> -1;
                default -> 0;
            };
            if (depth < 0) {
                return false;
            }
        }
        return depth == 0;
    }
}
