package io.vshard.migrate;

import io.vshard.manifest.ShardLocation;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a cohort's move stands, kept in the control store so a killed migrator resumes there: the journal
 * marks its copy has caught up to, the last creator the first pass copied, and the new side's journal marks
 * at the flip (where a rollback's catch-up starts).
 */
final class Progress {
    Map<ShardLocation, Long> copyMarks = new LinkedHashMap<>();
    long copiedUpTo = Long.MIN_VALUE;
    boolean firstPassDone;
    Map<ShardLocation, Long> flipMarks = new LinkedHashMap<>();

    static Progress decode(String text) {
        Progress p = new Progress();
        if (text == null || text.isEmpty()) {
            return p;
        }
        for (String part : text.split("\\|")) {
            if (part.startsWith("c:")) {
                p.copyMarks = JournalMarks.decode(part.substring(2));
            } else if (part.startsWith("u:")) {
                p.copiedUpTo = Long.parseLong(part.substring(2));
            } else if (part.equals("done")) {
                p.firstPassDone = true;
            } else if (part.startsWith("f:")) {
                p.flipMarks = JournalMarks.decode(part.substring(2));
            }
        }
        return p;
    }

    String encode() {
        return "c:" + JournalMarks.encode(copyMarks) + "|u:" + copiedUpTo + (firstPassDone ? "|done" : "") + "|f:"
                + JournalMarks.encode(flipMarks);
    }
}
