package io.jgrok.cli;

import io.jgrok.config.RunConfig;
import io.jgrok.sweep.ConfigResolver;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The train command's flags for sweep specs: same names, same parsing, same validation as {@code ./jgrok train}. */
public final class TrainFlags implements ConfigResolver {
    /** Train flags that say how one command runs rather than what is trained; a sweep decides these itself. */
    private static final Set<String> NOT_IN_SPECS = Set.of("out", "resume", "force", "quiet", "debug", "help");

    private final Options options = TrainCommand.options();

    @Override
    public String canonicalFlag(String name) {
        for (String candidate : new String[] {name, name.replace('-', '_')}) {
            if (options.hasLongOption(candidate) && !NOT_IN_SPECS.contains(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    @Override
    public String nearestFlag(String name) {
        String near = FlagSuggestions.closest(name, options);
        return near == null || NOT_IN_SPECS.contains(near) ? null : near;
    }

    @Override
    public RunConfig resolve(Map<String, String> flags) {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> f : flags.entrySet()) {
            args.add("--" + f.getKey());
            args.add(f.getValue());
        }
        CommandLine cl = Cli.parse("train", options, args.toArray(new String[0]));
        return TrainCommand.config(cl);
    }
}
