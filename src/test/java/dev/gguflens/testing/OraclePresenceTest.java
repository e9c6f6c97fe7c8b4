package dev.gguflens.testing;

import org.junit.jupiter.api.Test;

/**
 * Says, as one visible skipped test, when the oracle suite cannot run: the oracle-driven tests that take
 * their cases from the oracle folder otherwise vanish from the counts without a word.
 */
class OraclePresenceTest {

    @Test
    void theOracleSuiteRunsOnlyWhenTheOracleIsPresent() {
        TestFiles.oracle(); // skips with the folder and how to point elsewhere, when absent
    }
}
