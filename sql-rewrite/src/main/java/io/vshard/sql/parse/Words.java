package io.vshard.sql.parse;

/** Small word helpers shared by the classifier and the admin grammar. */
public final class Words {
    private Words() {}

    /** The Levenshtein distance of two words, ignoring case. */
    public static int distance(String a, String b) {
        String x = a.toLowerCase(java.util.Locale.ROOT);
        String y = b.toLowerCase(java.util.Locale.ROOT);
        int[] before = new int[y.length() + 1];
        int[] prev = new int[y.length() + 1];
        int[] cur = new int[y.length() + 1];
        for (int j = 0; j <= y.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= x.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= y.length(); j++) {
                int cost = x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && x.charAt(i - 1) == y.charAt(j - 2) && x.charAt(i - 2) == y.charAt(j - 1)) {
                    cur[j] = Math.min(cur[j], before[j - 2] + 1);
                }
            }
            int[] t = before;
            before = prev;
            prev = cur;
            cur = t;
        }
        return prev[y.length()];
    }

    /** Whether {@code word} is {@code target} or a likely typo of it (distance 1, or 2 for long words). */
    public static boolean near(String word, String target) {
        int d = distance(word, target);
        return d == 0 || d == 1 || (d == 2 && target.length() >= 6);
    }
}
