package io.jgrok.cli;

import io.jgrok.UserError;
import io.jgrok.analysis.CrossEntropy;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.io.Checkpoints;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code jgrok predict --checkpoint FILE A B}: what a checkpoint answers for A + B mod P (or over all pairs). */
final class PredictCommand {
    private PredictCommand() {
    }

    static Options options() {
        Options o = new Options();
        o.addOption(Cli.value("checkpoint", "FILE", "a jgrok checkpoint (checkpoints/checkpoint_epoch_E.safetensors)"));
        o.addOption(Cli.flag("all",
                "evaluate every pair a, b in 0..P-1 and print accuracy and the run's loss (its --loss)"));
        o.addOption(Cli.flag("debug", "show stack traces on errors"));
        o.addOption(Cli.flag("help", "show this help"));
        return o;
    }

    static int run(String[] args) {
        Options options = options();
        CommandLine cl = Cli.parse("predict", options, args);
        if (cl.hasOption("help")) {
            Cli.printHelp("./jgrok predict --checkpoint FILE A B   |   ./jgrok predict --checkpoint FILE --all",
                    "Print the model's answer to A + B mod P, or its accuracy over all P^2 pairs.\n\n", options, "");
            return 0;
        }
        if (!cl.hasOption("checkpoint")) {
            throw new UserError("predict needs --checkpoint FILE; see ./jgrok predict --help");
        }
        Checkpoints.Checkpoint ck = Checkpoints.read(Path.of(cl.getOptionValue("checkpoint")));
        RunConfig config = ck.config();
        int p = config.p();
        List<String> rest = cl.getArgList();
        try (CpuEngine engine = new CpuEngine(config, Split.of(config))) {
            if (cl.hasOption("all")) {
                if (!rest.isEmpty()) {
                    throw new UserError("predict --all takes no A B arguments");
                }
                int[] all = new int[p * p];
                for (int i = 0; i < all.length; i++) {
                    all[i] = i;
                }
                float[] logits = engine.logits(ck.state().params(), all);
                int correct = 0;
                double loss = 0;
                int nOut = config.nOutputs();
                double[] row = new double[nOut];
                for (int i = 0; i < all.length; i++) {
                    int label = Split.label(i, p);
                    if (argmax(logits, i * nOut, p) == label) {
                        correct++;
                    }
                    for (int j = 0; j < nOut; j++) {
                        row[j] = logits[i * nOut + j];
                    }
                    loss += CrossEntropy.loss(config.loss(), row, 0, nOut, label);
                }
                System.out.printf(Locale.ROOT, "epoch %d checkpoint: accuracy %.4f%% (%d of %d pairs), mean loss %.4e%n",
                        ck.epoch(), 100.0 * correct / all.length, correct, all.length, loss / all.length);
                return 0;
            }
            if (rest.size() != 2) {
                throw new UserError("predict needs two numbers A B (or --all); got " + rest.size() + " argument(s)");
            }
            int a = parseToken(rest.get(0), "A", p);
            int b = parseToken(rest.get(1), "B", p);
            float[] logits = engine.logits(ck.state().params(), new int[] {a * p + b});
            int answer = argmax(logits, 0, p);
            System.out.printf(Locale.ROOT, "%d + %d mod %d = %d%n", a, b, p, answer);
            if (answer != (a + b) % p) {
                System.err.printf(Locale.ROOT, "jgrok: note: the correct answer is %d%n", (a + b) % p);
            }
            return 0;
        }
    }

    private static int parseToken(String s, String name, int p) {
        try {
            int v = Integer.parseInt(s.trim());
            if (v < 0 || v >= p) {
                throw new UserError(name + " must be in 0.." + (p - 1) + " (the checkpoint's p is " + p + "), got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UserError(name + " must be an integer in 0.." + (p - 1) + ", got '" + s + "'");
        }
    }

    static int argmax(float[] logits, int off, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (logits[off + j] > logits[off + best]) {
                best = j;
            }
        }
        return best;
    }
}
