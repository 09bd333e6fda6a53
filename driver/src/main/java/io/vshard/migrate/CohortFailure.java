package io.vshard.migrate;

import java.sql.SQLException;

/** A cohort move's failure with the cohort and the protocol step it failed in; SQLSTATE and message are its cause's. */
final class CohortFailure extends SQLException {
    private static final long serialVersionUID = 1L;
    private final int cohort;
    private final String step;

    CohortFailure(int cohort, String step, SQLException cause) {
        super(
                "cohort " + cohort + ", step " + step + ": " + cause.getMessage(),
                cause.getSQLState(),
                cause.getErrorCode(),
                cause);
        this.cohort = cohort;
        this.step = step;
    }

    int cohort() {
        return cohort;
    }

    String step() {
        return step;
    }
}
