package io.jgrok.cli;

import io.jgrok.UserError;
import io.jgrok.config.FourierOrder;
import io.jgrok.config.GradProjection;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.InitScheme;
import io.jgrok.config.LossFunction;
import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;
import io.jgrok.config.SplitMethod;
import io.jgrok.config.TestTiming;
import io.jgrok.engine.Engines;
import io.jgrok.io.RunDirectory;
import io.jgrok.train.Trainer;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.nio.file.Path;

/** {@code jgrok train}: train one model, writing history, split and checkpoints into a run directory. */
final class TrainCommand {
    private TrainCommand() {
    }

    static Options options() {
        Options o = new Options();
        o.addOption(Cli.value("preset", "NAME", "starting config: paper (default; the paper's code) or tl-demo "
                + "(TransformerLens demo); flags below override it"));
        o.addOption(Cli.value("p", "P", "modulus; tokens 0..P-1 and '=' (default 113)"));
        o.addOption(Cli.value("train_fraction", "F", "fraction of the P^2 pairs used for training, in (0, 1) "
                + "(default 0.3)"));
        o.addOption(Cli.value("d_model", "N", "residual width (default 128)"));
        o.addOption(Cli.value("n_heads", "N", "attention heads; must divide d_model (default 4)"));
        o.addOption(Cli.value("d_mlp", "N", "MLP width (default 512)"));
        o.addOption(Cli.value("lr", "LR", "AdamW learning rate (default 1e-3)"));
        o.addOption(Cli.value("weight_decay", "WD", "AdamW weight decay, on every parameter (default 1.0)"));
        o.addOption(Cli.value("n_epochs", "N", "full-batch epochs (default 40000; tl-demo 25000)"));
        o.addOption(Cli.value("device", "DEV", "auto (CUDA if usable, else CPU), cpu, cuda, or emulated "
                + "(CUDA kernels run on the host, for verification) (default auto)"));
        o.addOption(Cli.value("seed", "S", "weight-init seed (default 0)"));
        o.addOption(Cli.value("data_seed", "S", "split seed (default 0; tl-demo 598)"));
        o.addOption(Cli.value("out", "DIR", "run directory (default runs/<preset>-seed<seed>)"));
        o.addOption(Cli.value("eval_every", "N", "evaluate the test set every N epochs (default 1)"));
        o.addOption(Cli.value("checkpoint_every", "N", "write a checkpoint every N epochs (default 100)"));
        o.addOption(org.apache.commons.cli.Option.builder().longOpt("save_gradients").hasArg().optionalArg(true)
                .argName("BOOL").desc("store in each checkpoint the full-batch loss gradient of that epoch's step "
                        + "(grad.<name> tensors, at the weights before the step, before Grokfast and frozen "
                        + "ranges), for your own gradient analyses; about a third larger checkpoints (default off; "
                        + "--save_gradients alone means true)").build());
        o.addOption(Cli.value("init", "FILE", "start from these weights (safetensors, TransformerLens names)"));
        o.addOption(Cli.value("split_file", "FILE", "use these train indices (split.json or a JSON list of a*p+b)"));
        o.addOption(Cli.value("resume", "DIR", "continue the run in DIR from its newest intact checkpoint"));
        o.addOption(Cli.flag("force", "start over in --out even if it holds a run (deletes its config.json, "
                + "split.json, initial weights, report.html and its checkpoints/, logs/, analysis/, figures/ folders; "
                + "other files stay)"));
        o.addOption(Cli.value("threads", "N", "CPU engine threads (default: all cores)"));
        o.addOption(Cli.value("warmup_steps", "N", "linear LR warmup steps, first step at lr 0 (default 10; "
                + "tl-demo 0)"));
        o.addOption(Cli.value("beta1", "B", "AdamW beta1 (default 0.9)"));
        o.addOption(Cli.value("beta2", "B", "AdamW beta2 (default 0.98)"));
        o.addOption(Cli.value("adam_eps", "E", "AdamW epsilon (default 1e-8)"));
        o.addOption(Cli.value("equals_logit", "BOOL", "true: P + 1 output logits incl. '=' (paper); false: P "
                + "(tl-demo)"));
        o.addOption(Cli.value("mlp_biases", "MODE", "trained (paper) or frozen at zero (tl-demo)"));
        o.addOption(Cli.value("init_scheme", "NAME", "paper or tl-demo weight init"));
        o.addOption(Cli.value("split_method", "NAME", "python-shuffle (paper) or torch-randperm (tl-demo)"));
        o.addOption(Cli.value("test_timing", "WHEN", "test loss on the weights before-step (paper) or after-step "
                + "(tl-demo)"));
        o.addOption(Cli.value("fourier_order", "ORDER", "cos-first (paper) or sin-first (tl-demo) basis order"));
        o.addOption(Cli.value("grokfast", "MODE", "Grokfast gradient filter: none (default), ema or ma"));
        o.addOption(Cli.value("grokfast_alpha", "A", "Grokfast EMA decay (default 0.98)"));
        o.addOption(Cli.value("grokfast_lambda", "L", "Grokfast amplification (default 2.0)"));
        o.addOption(Cli.value("grokfast_window", "W", "Grokfast MA window (default 100)"));
        o.addOption(Cli.value("loss", "NAME", "softmax (default; the paper's float64 cross-entropy) or stablemax "
                + "(StableMax cross-entropy, Prieto et al. 2025; see docs/stability.md)"));
        o.addOption(Cli.value("grad_projection", "MODE", "none (default) or orthogonal: remove each tensor's gradient "
                + "component along its own weights before AdamW (⊥Grad, Prieto et al. 2025)"));
        o.addOption(Cli.flag("profile", "device engines: print a per-kernel time table (mean per epoch, share) at the "
                + "end"));
        o.addOption(Cli.flag("quiet", "print only the result, warnings and errors (no config, no progress)"));
        o.addOption(Cli.flag("debug", "show stack traces on errors"));
        o.addOption(Cli.flag("help", "show this help"));
        return o;
    }

    /** Resolves a config from a preset and flags (validated; bad values are one-line errors). */
    static RunConfig config(CommandLine cl) {
        RunConfig.Builder b = Preset.named(cl.getOptionValue("preset", "paper")).defaults().toBuilder();
        b.p = Cli.intValue(cl, "p", b.p);
        b.trainFraction = Cli.doubleValue(cl, "train_fraction", b.trainFraction);
        b.dModel = Cli.intValue(cl, "d_model", b.dModel);
        b.nHeads = Cli.intValue(cl, "n_heads", b.nHeads);
        b.dMlp = Cli.intValue(cl, "d_mlp", b.dMlp);
        b.lr = Cli.doubleValue(cl, "lr", b.lr);
        b.weightDecay = Cli.doubleValue(cl, "weight_decay", b.weightDecay);
        b.nEpochs = Cli.intValue(cl, "n_epochs", b.nEpochs);
        b.device = cl.getOptionValue("device", b.device);
        b.seed = Cli.longValue(cl, "seed", b.seed);
        b.dataSeed = Cli.longValue(cl, "data_seed", b.dataSeed);
        b.evalEvery = Cli.intValue(cl, "eval_every", b.evalEvery);
        b.checkpointEvery = Cli.intValue(cl, "checkpoint_every", b.checkpointEvery);
        if (cl.hasOption("save_gradients")) {
            String v = cl.getOptionValue("save_gradients");
            b.saveGradients = switch (v == null ? "true" : v) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new UserError("--save_gradients takes true or false (or nothing, for true); got '"
                        + v + "'");
            };
        }
        b.threads = Cli.intValue(cl, "threads", b.threads);
        b.warmupSteps = Cli.intValue(cl, "warmup_steps", b.warmupSteps);
        b.beta1 = Cli.doubleValue(cl, "beta1", b.beta1);
        b.beta2 = Cli.doubleValue(cl, "beta2", b.beta2);
        b.adamEps = Cli.doubleValue(cl, "adam_eps", b.adamEps);
        b.equalsLogit = Cli.boolValue(cl, "equals_logit", b.equalsLogit);
        String biases = cl.getOptionValue("mlp_biases");
        if (biases != null) {
            b.trainMlpBiases = switch (biases) {
                case "trained" -> true;
                case "frozen" -> false;
                default -> throw new UserError("--mlp_biases must be one of trained, frozen; got '" + biases + "'");
            };
        }
        b.init = Cli.enumValue(cl, "init_scheme", InitScheme.class, b.init);
        b.split = Cli.enumValue(cl, "split_method", SplitMethod.class, b.split);
        b.testTiming = Cli.enumValue(cl, "test_timing", TestTiming.class, b.testTiming);
        b.fourierOrder = Cli.enumValue(cl, "fourier_order", FourierOrder.class, b.fourierOrder);
        b.grokfast = Cli.enumValue(cl, "grokfast", GrokfastMode.class, b.grokfast);
        b.grokfastAlpha = Cli.doubleValue(cl, "grokfast_alpha", b.grokfastAlpha);
        b.grokfastLambda = Cli.doubleValue(cl, "grokfast_lambda", b.grokfastLambda);
        b.grokfastWindow = Cli.intValue(cl, "grokfast_window", b.grokfastWindow);
        b.loss = Cli.enumValue(cl, "loss", LossFunction.class, b.loss);
        b.gradProjection = Cli.enumValue(cl, "grad_projection", GradProjection.class, b.gradProjection);
        return b.build();
    }

    static int run(String[] args) {
        Options options = options();
        CommandLine cl = Cli.parse("train", options, args);
        if (cl.hasOption("help")) {
            Cli.printHelp("./jgrok train [options]", "Train the one-layer transformer on (a + b) mod p, full batch "
                    + "with AdamW, as the paper's code does. Writes DIR/config.json, DIR/split.json, "
                    + "DIR/logs/training_history.json and DIR/checkpoints/checkpoint_epoch_<E>.safetensors.\n\n",
                    options, "\nFlags may also be written in kebab-case (--train-fraction). One process at a time "
                            + "trains a run directory (it holds DIR/.jgrok.lock); another is refused.\n\nExit status: 0 "
                            + "done, 2 bad input or the run is being trained by another process, 3 diverged, 4 a file "
                            + "could not be written (the disk is full: free space and --resume), 130/143 stopped by "
                            + "SIGINT/SIGTERM (--resume continues). See docs/reliability.md.");
            return 0;
        }
        if (!cl.getArgList().isEmpty()) {
            throw new UserError("train takes no positional arguments, got '" + cl.getArgList().get(0)
                    + "'; see ./jgrok train --help");
        }
        PrintStream profileOut = cl.hasOption("profile") ? System.out : null;
        boolean quiet = cl.hasOption("quiet");
        Trainer.Options opts = new Trainer.Options(!quiet, System.out, System.err, epochs -> { },
                (config, split, notices) -> Engines.open(config, split, notices, profileOut), quiet);
        if (cl.hasOption("resume")) {
            // Anything else would be silently ignored (the saved config wins), so it is refused.
            java.util.Set<String> allowed = java.util.Set.of("resume", "n_epochs", "quiet", "profile", "debug");
            for (org.apache.commons.cli.Option given : cl.getOptions()) {
                if (!allowed.contains(given.getLongOpt())) {
                    throw new UserError("--resume continues a run with its saved config; --" + given.getLongOpt()
                            + " cannot be combined with it (allowed with --resume: --n_epochs, --quiet, --profile, "
                            + "--debug)");
                }
            }
            Trainer.resume(new RunDirectory(Path.of(cl.getOptionValue("resume"))),
                    Cli.intValue(cl, "n_epochs", 0), opts);
            return 0;
        }
        RunConfig config = config(cl);
        Engines.requireAvailable(config);
        Path out = cl.hasOption("out") ? Path.of(cl.getOptionValue("out"))
                : Path.of("runs", config.preset() + "-seed" + config.seed());
        Trainer.Outcome outcome = Trainer.start(config, new RunDirectory(out), Cli.pathValue(cl, "init"),
                Cli.pathValue(cl, "split_file"), cl.hasOption("force"), opts);
        return outcome.status() == Trainer.Status.INTERRUPTED ? 130 : 0;
    }
}
