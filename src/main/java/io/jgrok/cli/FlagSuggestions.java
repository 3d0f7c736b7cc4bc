package io.jgrok.cli;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.util.Locale;

/** "did you mean --train_fraction?" for a misspelled flag: the closest of the command's own flags, if close. */
final class FlagSuggestions {
    /** Names other tools use for these flags. */
    private static final java.util.Map<String, String> SYNONYMS = java.util.Map.of(
            "learning_rate", "lr",
            "wd", "weight_decay",
            "epochs", "n_epochs",
            "num_epochs", "n_epochs",
            "heads", "n_heads",
            "modulus", "p",
            "output", "out",
            "output_dir", "out");

    private FlagSuggestions() {
    }

    /**
     * The command's flag nearest to {@code given} (without its dashes; kebab-case counts as snake_case): within an
     * edit distance of about a third of its length, or containing it or contained in it (--fraction and
     * --train_fraction), or near another tool's name for it (--learning_rate for --lr) when no flag is nearer; null
     * when nothing is that close.
     */
    static String closest(String given, Options options) {
        String g = normalise(given);
        if (g.length() < 2) {
            return null; // one letter is near too many flags to suggest any
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        // Synonyms first, so that a flag only wins over one by being strictly nearer (--treads is --threads, not
        // "heads").
        for (java.util.Map.Entry<String, String> e : SYNONYMS.entrySet()) {
            int d = distance(g, e.getKey());
            if (options.hasLongOption(e.getValue()) && !options.hasLongOption(e.getKey())
                    && d <= (e.getKey().length() > 4 ? 2 : 0) && d < bestDistance) {
                best = e.getValue();
                bestDistance = d;
            }
        }
        for (Option o : options.getOptions()) {
            String name = o.getLongOpt();
            if (name == null) {
                continue;
            }
            String n = normalise(name);
            int d = distance(g, n);
            boolean close = g.length() >= 3 && (d <= Math.max(1, Math.min(g.length(), n.length()) / 3)
                    || n.contains(g) || g.contains(n) && n.length() >= 3);
            if (close && d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        return best;
    }

    private static String normalise(String s) {
        String t = s;
        while (t.startsWith("-")) {
            t = t.substring(1);
        }
        return t.toLowerCase(Locale.ROOT).replace('-', '_');
    }

    /** Levenshtein distance (insertions, deletions, substitutions). */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
