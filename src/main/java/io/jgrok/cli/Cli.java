package io.jgrok.cli;

import io.jgrok.UserError;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.MissingOptionException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared parsing for the subcommands: kebab-case aliases of the snake_case flags, typed values with one-line
 * errors, and help text.
 */
final class Cli {
    private Cli() {
    }

    static Option flag(String name, String description) {
        return Option.builder().longOpt(name).desc(description).build();
    }

    static Option value(String name, String argName, String description) {
        return Option.builder().longOpt(name).hasArg().argName(argName).desc(description).build();
    }

    /** A stand-in for a negative number given as a positional argument, which the parser would take for a flag. */
    private static final String NEGATIVE = "\u0000negative:";

    /**
     * Parses {@code args}; {@code --kebab-case} spellings of known options are accepted, a negative number where a
     * positional argument goes is one ({@code predict ... -1 5}), and an unknown flag gets the nearest known one.
     */
    static CommandLine parse(String command, Options options, String[] args) {
        List<String> normalised = new ArrayList<>(args.length);
        boolean rest = false;
        boolean valueNext = false;
        for (String arg : args) {
            boolean isValue = valueNext;
            valueNext = false;
            if (!rest && arg.equals("--")) {
                rest = true;
                normalised.add(arg);
            } else if (!rest && arg.startsWith("--") && arg.length() > 2) {
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
                String snake = name.replace('-', '_');
                if (!options.hasLongOption(name) && options.hasLongOption(snake)) {
                    name = snake;
                }
                valueNext = eq < 0 && options.hasLongOption(name) && options.getOption(name).hasArg();
                normalised.add("--" + name + (eq < 0 ? "" : arg.substring(eq)));
            } else if (!rest && !isValue && arg.matches("-[0-9][0-9._]*([eE][-+]?[0-9]+)?")) {
                normalised.add(NEGATIVE + arg);
            } else {
                normalised.add(arg);
            }
        }
        CommandLine cl;
        try {
            cl = DefaultParser.builder().setAllowPartialMatching(false).build()
                    .parse(options, normalised.toArray(new String[0]));
        } catch (UnrecognizedOptionException e) {
            String name = e.getOption().contains("=") ? e.getOption().substring(0, e.getOption().indexOf('='))
                    : e.getOption();
            String near = FlagSuggestions.closest(name, options);
            throw new UserError("unknown option " + name + " for '" + command + "'"
                    + (near == null ? "" : "; did you mean --" + near + "?") + " (see ./jgrok " + command
                    + " --help)");
        } catch (MissingArgumentException e) {
            throw new UserError("option --" + e.getOption().getLongOpt() + " needs a value ("
                    + e.getOption().getArgName() + "); see ./jgrok " + command + " --help");
        } catch (MissingOptionException e) {
            throw new UserError("missing required option(s) " + e.getMissingOptions() + " for '" + command + "'");
        } catch (ParseException e) {
            throw new UserError(e.getMessage() + "; see ./jgrok " + command + " --help");
        }
        if (cl.getArgList().stream().anyMatch(a -> a.startsWith(NEGATIVE))) {
            CommandLine.Builder b = CommandLine.builder();
            for (Option o : cl.getOptions()) {
                b.addOption(o);
            }
            for (String a : cl.getArgList()) {
                b.addArg(a.startsWith(NEGATIVE) ? a.substring(NEGATIVE.length()) : a);
            }
            cl = b.build();
        }
        // A repeated option would silently keep its first value; say so instead.
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Option o : cl.getOptions()) {
            if (!seen.add(o.getLongOpt())) {
                throw new UserError("option --" + o.getLongOpt() + " is given more than once");
            }
        }
        return cl;
    }

    static int intValue(CommandLine cl, String name, int fallback) {
        String s = cl.getOptionValue(name);
        if (s == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(s.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UserError("--" + name + " must be an integer" + rangeHint(s, Integer.MIN_VALUE, Integer.MAX_VALUE)
                    + ", got '" + s + "'");
        }
    }

    static long longValue(CommandLine cl, String name, long fallback) {
        String s = cl.getOptionValue(name);
        if (s == null) {
            return fallback;
        }
        try {
            return Long.parseLong(s.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UserError("--" + name + " must be an integer" + rangeHint(s, Long.MIN_VALUE, Long.MAX_VALUE)
                    + ", got '" + s + "'");
        }
    }

    /** " in [min, max]" when {@code s} is a whole number outside that range, else "" (it is not a number). */
    private static String rangeHint(String s, long min, long max) {
        try {
            java.math.BigInteger v = new java.math.BigInteger(s.trim().replace("_", ""));
            if (v.compareTo(java.math.BigInteger.valueOf(min)) < 0
                    || v.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
                return String.format(java.util.Locale.ROOT, " in [%d, %d]", min, max);
            }
        } catch (NumberFormatException notAnInteger) {
            // The plain message fits.
        }
        return "";
    }

    static double doubleValue(CommandLine cl, String name, double fallback) {
        String s = cl.getOptionValue(name);
        if (s == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(s.trim());
            if (Double.isNaN(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UserError("--" + name + " must be a number, got '" + s + "'");
        }
    }

    static boolean boolValue(CommandLine cl, String name, boolean fallback) {
        String s = cl.getOptionValue(name);
        if (s == null) {
            return fallback;
        }
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new UserError("--" + name + " must be true or false, got '" + s + "'");
        };
    }

    static <E extends Enum<E>> E enumValue(CommandLine cl, String name, Class<E> type, E fallback) {
        String s = cl.getOptionValue(name);
        if (s == null) {
            return fallback;
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            String label = e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            if (label.equals(s.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))) {
                return e;
            }
            allowed.append(allowed.length() == 0 ? "" : ", ").append(label);
        }
        throw new UserError("--" + name + " must be one of " + allowed + "; got '" + s + "'");
    }

    static Path pathValue(CommandLine cl, String name) {
        String s = cl.getOptionValue(name);
        return s == null ? null : Path.of(s);
    }

    static void printHelp(String usage, String header, Options options, String footer) {
        HelpFormatter f = new HelpFormatter();
        f.setWidth(110);
        f.setOptionComparator(null);
        PrintWriter pw = new PrintWriter(System.out, true);
        f.printHelp(pw, 110, usage, header, options, 2, 3, footer, false);
        pw.flush();
    }
}
