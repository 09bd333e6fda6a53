package io.vshard.proxy.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SharedUseTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT abalance FROM pgbench_accounts WHERE aid = $1",
                "select amount from payments where creator_id = 7",
                "WITH t AS (SELECT 1) SELECT * FROM t",
                "VALUES (1), (2)",
                "TABLE payments",
                "SELECT pg_sleep(1) FROM payments WHERE creator_id = 1",
                "SELECT intolerance FROM payments WHERE creator_id = 1",
                "SELECT count(*), sum(amount) FROM payments WHERE creator_id = $1 AND region = $2",
                "SELECT lower(note), coalesce(amount, 0) FROM payments WHERE creator_id IN (1, 2)",
                "SELECT 'f(x)', \"my table\".id FROM \"my table\" WHERE id = 1 -- g(1)",
                "SELECT $$ h(2) $$, CAST(amount AS numeric(10, 2)) FROM payments /* insert */ WHERE id = $1",
                "SELECT 'it''s update(1)' FROM t WHERE x = 1"
            })
    void plainReadsMayShareAConnection(String sql) {
        assertThat(SharedUse.shareable(sql)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT set_config('search_path', 'x', false) FROM payments WHERE creator_id = 1",
                "SELECT pg_advisory_lock(1) FROM payments WHERE creator_id = 1",
                "SELECT pg_try_advisory_lock(1)",
                "SELECT * INTO TEMP t FROM payments WHERE creator_id = 1",
                "SELECT currval('payments_payment_id_seq')",
                "SELECT nextval('payments_payment_id_seq')",
                "SELECT lo_import('/etc/passwd')",
                "SHOW search_path",
                "PREPARE p AS SELECT 1",
                "DEALLOCATE ALL",
                "EXPLAIN SELECT 1",
                "SELECT transfer(1, 2, 100)",
                "SELECT billing.charge($1, $2)",
                "SELECT \"Charge\"(1)",
                "SELECT * FROM payments WHERE creator_id = 1 FOR UPDATE",
                "SELECT * FROM payments WHERE creator_id = 1 FOR SHARE",
                "WITH moved AS (DELETE FROM payments WHERE id = 1 RETURNING *) SELECT * FROM moved",
                "WITH n AS (INSERT INTO t VALUES (1) RETURNING id) SELECT id FROM n",
                ""
            })
    void statementsThatLeaveSessionStateKeepToTheirOwnConnection(String sql) {
        assertThat(SharedUse.shareable(sql)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "CREATE TEMP TABLE scratch (x int)",
                "create temporary table scratch as select 1",
                "CREATE GLOBAL TEMPORARY TABLE scratch (x int)",
                "CREATE LOCAL TEMP VIEW v AS SELECT 1",
                "SELECT * INTO TEMP scratch FROM payments"
            })
    void temporaryObjectsAreSeen(String sql) {
        assertThat(SharedUse.makesTemporaryObject(sql)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "CREATE TABLE temp (x int)",
                "SELECT temp FROM readings",
                "CREATE TABLE scratch (x int)",
                "SELECT * FROM temperatures"
            })
    void otherStatementsMakeNoTemporaryObject(String sql) {
        assertThat(SharedUse.makesTemporaryObject(sql)).isFalse();
    }
}
