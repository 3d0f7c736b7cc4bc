package io.jgrok.cli;

import org.apache.commons.cli.Options;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README.md and docs/ spell every flag as the commands do: each {@code ./jgrok CMD ... --flag} written in them, and
 * each flag of README's train table, is a flag of that command (kebab-case counting as snake_case, as on the
 * command line).
 */
class DocumentedFlagsTest {
    private static final Map<String, Options> COMMANDS = Map.of(
            "train", TrainCommand.options(),
            "bench", BenchCommand.options(),
            "predict", PredictCommand.options(),
            "analyze", AnalyzeCommand.options(),
            "figures", FiguresCommand.options(),
            "sweep", SweepCommand.options(),
            "import", ImportCommand.options(),
            "export", ExportCommand.options(),
            "gpu-check", GpuCheckCommand.options());

    /** A command line as written in a document, up to the end of its code span, table cell or line. */
    private static final Pattern COMMAND = Pattern.compile("jgrok ([a-z-]+)([^`|]*)");
    private static final Pattern TABLE_ROW = Pattern.compile("^\\| `(?:\\./|bin/)?jgrok ([a-z-]+)[^|]*\\|");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]*)`");
    private static final Pattern FLAG = Pattern.compile("(?<=\\s|^|\\[)--([a-z][a-z0-9_-]*)");

    @Test
    void everyDocumentedCommandLineUsesRealFlags() throws IOException {
        Path root = Path.of(".");
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                // A table row about one command: its flags are in the other cells too.
                Matcher row = TABLE_ROW.matcher(lines.get(i));
                if (row.find() && COMMANDS.containsKey(row.group(1))) {
                    Matcher span = CODE_SPAN.matcher(lines.get(i).substring(row.end()));
                    while (span.find()) {
                        // `train --resume` in the import row is about train.
                        String other = span.group(1).split(" ", 2)[0];
                        String command = COMMANDS.containsKey(other) && span.group(1).contains(" ") ? other
                                : row.group(1);
                        checked += check(COMMANDS.get(command), span.group(1),
                                f + ":" + (i + 1) + " (" + command + " in the " + row.group(1) + " row)", wrong);
                    }
                }
                Matcher m = COMMAND.matcher(lines.get(i));
                while (m.find()) {
                    Options options = COMMANDS.get(m.group(1));
                    if (options == null) {
                        continue;
                    }
                    // After a bare "--" come train flags (sweep --bench N -- --device cuda).
                    String[] parts = (" " + m.group(2) + " ").split("\\s--\\s", 2);
                    checked += check(options, parts[0], f + ":" + (i + 1) + " (" + m.group(1) + ")", wrong);
                    if (parts.length > 1) {
                        checked += check(COMMANDS.get("train"), parts[1], f + ":" + (i + 1) + " (train)", wrong);
                    }
                }
            }
        }
        assertTrue(checked > 60, "the documents were read: " + checked + " flags");
        assertEquals(List.of(), wrong, "flags the commands do not have");
    }

    @Test
    void readmesTrainTableListsTrainFlags() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int start = lines.indexOf("### `train` flags");
        assertTrue(start >= 0, "README has its train flags table");
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
            String line = lines.get(i);
            if (line.startsWith("| `--")) {
                checked += check(TrainCommand.options(), line.substring(0, line.indexOf('|', 2)),
                        "README.md:" + (i + 1), wrong);
            }
        }
        assertTrue(checked > 30, checked + " flags in the table");
        assertEquals(List.of(), wrong);
    }

    private static int check(Options options, String text, String where, List<String> wrong) {
        Matcher f = FLAG.matcher(text.replace('`', ' ').replace(',', ' '));
        int n = 0;
        while (f.find()) {
            String name = f.group(1);
            if (!options.hasLongOption(name) && !options.hasLongOption(name.replace('-', '_'))) {
                wrong.add(where + ": --" + name);
            }
            n++;
        }
        return n;
    }
}
