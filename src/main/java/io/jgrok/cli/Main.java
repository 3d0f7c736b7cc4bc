package io.jgrok.cli;

import io.jgrok.UserError;
import io.jgrok.train.Trainer;

import java.util.Arrays;

/** Entry point: {@code jgrok <command> [options]}. */
public final class Main {
    private static final String USAGE = """
            usage: ./jgrok <command> [options]     (./jgrok <command> --help for a command's options)
                   ./jgrok --version

            commands:
              train     train the model (the paper's run by default) into a run directory
              predict   print a checkpoint's answer to A + B mod P
              analyze   Fourier analysis and progress measures of a run's checkpoints
              figures   the paper's figures and an HTML report of a run
              bench     measure epochs/s of the training engines
              sweep     many runs from a grid spec (seeds, weight decay, data fraction, ...)
              import    a PyTorch checkpoint (the paper's, TransformerLens's) as a run directory
              export    a run as PyTorch files (the TransformerLens demo's layout, or state dicts)
              gpu-check probe, verify and measure a GPU machine (checks vs the CPU engine, epochs/s, profile)
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** "; did you mean 'train'?" for a misspelled command, else "". */
    private static String suggestion(String command) {
        String best = null;
        for (String c : new String[] {"train", "predict", "analyze", "figures", "bench", "sweep", "import", "export", "gpu-check"}) {
            int d = FlagSuggestions.distance(command.toLowerCase(java.util.Locale.ROOT), c);
            if (d <= 2 && (best == null || d < FlagSuggestions.distance(command, best))) {
                best = c;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    /** Runs a command and returns its exit code; user errors are one line on stderr, exit code 2. */
    public static int run(String[] args) {
        boolean debug = Arrays.asList(args).contains("--debug");
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.print(USAGE);
            return args.length == 0 ? UserError.EXIT_CODE : 0;
        }
        if (args[0].equals("--version") || args[0].equals("version")) {
            System.out.println(Version.text());
            return 0;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            // JGROK_KERNELS (the device engine's kernel versions) is checked before any command writes anything.
            io.jgrok.engine.device.KernelVariants.selected();
            return switch (command) {
                case "train" -> TrainCommand.run(rest);
                case "bench" -> BenchCommand.run(rest);
                case "predict" -> PredictCommand.run(rest);
                case "analyze" -> AnalyzeCommand.run(rest);
                case "figures" -> FiguresCommand.run(rest);
                case "sweep" -> SweepCommand.run(rest);
                case "import" -> ImportCommand.run(rest);
                case "export" -> ExportCommand.run(rest);
                case "gpu-check" -> GpuCheckCommand.run(rest);
                default -> throw new UserError("unknown command '" + command + "'" + suggestion(command)
                        + "; commands: train, predict, analyze, figures, bench, sweep, import, export, gpu-check (and "
                        + "--version)");
            };
        } catch (UserError e) {
            System.err.println("jgrok: error: " + e.getMessage());
            if (debug) {
                e.printStackTrace();
            }
            return e.exitCode();
        } catch (Trainer.TrainingDiverged e) {
            System.err.println("jgrok: error: " + e.getMessage());
            return Trainer.TrainingDiverged.EXIT_CODE;
        } catch (RuntimeException | OutOfMemoryError e) {
            System.err.println("jgrok: failed: " + e + (e.getCause() != null ? " (" + e.getCause() + ")" : "")
                    + (debug ? "" : "; rerun with --debug for details"));
            if (debug) {
                e.printStackTrace();
            }
            return 1;
        }
    }
}
