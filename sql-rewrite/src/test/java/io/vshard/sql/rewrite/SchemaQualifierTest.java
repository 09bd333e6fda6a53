package io.vshard.sql.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.config.TableRules;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaQualifierTest {
    private final SchemaQualifier q = new SchemaQualifier(
            new TableRules(List.of(
                    new TableRule("payments", TableRule.Kind.SHARDED, "creator_id", "region", "window_id", "id"),
                    new TableRule("comments", TableRule.Kind.SHARDED, "creator_id", null, null, "id"),
                    new TableRule("currencies", TableRule.Kind.BROADCAST, null, null, null, null))),
            100);

    @Test
    void qualifiesTableReferencesOnly() {
        assertThat(q.qualify("SELECT payments.amount FROM payments WHERE creator_id = ?", "shard_047"))
                .isEqualTo("SELECT payments.amount FROM shard_047.payments WHERE creator_id = ?");
        assertThat(q.qualify(
                        "SELECT p.id FROM payments p JOIN comments c ON c.creator_id = p.creator_id, currencies cu"
                                + " WHERE p.creator_id = 1",
                        "s1"))
                .isNull();
        assertThat(q.qualify("SELECT p.id FROM payments p, currencies cu WHERE cu.code = p.currency", "s1"))
                .isEqualTo("SELECT p.id FROM s1.payments p, s1.currencies cu WHERE cu.code = p.currency");
        assertThat(q.qualify("SELECT * FROM (SELECT id FROM \"payments\" WHERE creator_id = 3) x", "s1"))
                .isEqualTo("SELECT * FROM (SELECT id FROM s1.\"payments\" WHERE creator_id = 3) x");
        assertThat(q.qualify("SELECT id FROM payments WHERE note = 'FROM payments'", "s1"))
                .isEqualTo("SELECT id FROM s1.payments WHERE note = 'FROM payments'");
    }

    @Test
    void leavesAloneWhatItCannotProve() {
        assertThat(q.qualify("SELECT id FROM public.payments", "s1")).isNull();
        assertThat(q.qualify("WITH payments AS (SELECT 1) SELECT * FROM payments", "s1"))
                .isNull();
        assertThat(q.qualify("SELECT payments FROM other", "s1")).isNull();
        assertThat(q.qualify("SELECT 1", "s1")).isNull();
        assertThat(q.qualify("SELECT id FROM payments", "")).isNull();
        assertThat(q.qualify("SELECT id FROM payments", "`shard_001`"))
                .isEqualTo("SELECT id FROM `shard_001`.payments");
    }
}
