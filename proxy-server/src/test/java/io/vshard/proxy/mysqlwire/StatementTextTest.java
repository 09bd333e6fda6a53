package io.vshard.proxy.mysqlwire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatementTextTest {
    @Test
    void countsPlaceholdersOutsideLiteralsAndComments() {
        assertThat(PlaceholderCounter.count("SELECT ?, '?', \"?\", `?` FROM t WHERE a = ? -- ?\n AND b = ?"))
                .isEqualTo(3);
        assertThat(PlaceholderCounter.count("SELECT 'it''s ?', 'a\\'?' /* ? */ , ? # ?"))
                .isEqualTo(1);
        assertThat(PlaceholderCounter.count("INSERT INTO t VALUES (?,?),(?,?)")).isEqualTo(4);
    }

    @Test
    void classifiesSessionStatements() {
        assertThat(SessionStatement.classify("SET NAMES utf8mb4").kind()).isEqualTo(SessionStatement.Kind.SET_NAMES);
        assertThat(SessionStatement.classify("set autocommit=0").on()).isFalse();
        assertThat(SessionStatement.classify("SET @@session.autocommit = ON").kind())
                .isEqualTo(SessionStatement.Kind.SET_AUTOCOMMIT);
        assertThat(SessionStatement.classify("START TRANSACTION").kind()).isEqualTo(SessionStatement.Kind.BEGIN);
        assertThat(SessionStatement.classify("commit;").kind()).isEqualTo(SessionStatement.Kind.COMMIT);
        assertThat(SessionStatement.classify("ROLLBACK TO SAVEPOINT s1").kind()).isEqualTo(SessionStatement.Kind.OTHER);
        assertThat(SessionStatement.generatesKeys("  insert into t values (1)")).isTrue();
        assertThat(SessionStatement.generatesKeys("SELECT 1")).isFalse();
    }

    @Test
    void scramblesMatchPublishedVectors() {
        byte[] nonce = new byte[20];
        for (int i = 0; i < nonce.length; i++) {
            nonce[i] = (byte) (i + 1);
        }
        assertThat(PasswordScrambles.nativePassword("", nonce)).isEmpty();
        assertThat(PasswordScrambles.nativePassword("secret", nonce)).hasSize(20);
        assertThat(PasswordScrambles.cachingSha2("secret", nonce)).hasSize(32);
        assertThat(PasswordScrambles.nativePassword("secret", nonce))
                .isNotEqualTo(PasswordScrambles.nativePassword("secret2", nonce));
    }
}
