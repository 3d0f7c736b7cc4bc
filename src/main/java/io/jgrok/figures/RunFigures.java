package io.jgrok.figures;

import java.util.ArrayList;
import java.util.List;

/** The figures of one trained and analysed run, in the order the report shows them. */
final class RunFigures {
    private RunFigures() {
    }

    static List<Figure> all(RunData run) {
        Phases phases = Phases.of(run);
        List<Figure> out = new ArrayList<>();
        out.add(TrainingFigures.curves(run, phases));
        Figure collapse = CollapseFigures.of(run, phases);
        if (collapse != null) {
            out.add(collapse);
        }
        out.add(FourierNormFigures.embed(run));
        out.add(FourierNormFigures.neuronLogit(run));
        out.add(MapFigures.attention(run));
        out.add(MapFigures.neurons(run));
        out.add(MapFigures.logitFourier(run));
        out.add(ClusterFigures.fracExplained(run));
        out.add(MapFigures.clusterNeuronLogit(run));
        out.add(ProgressFigures.measures(run, phases));
        out.add(ProgressFigures.excludedPerFrequency(run, phases));
        out.add(ProgressFigures.keyAmplitudes(run, phases));
        out.add(ProgressFigures.accuracies(run, phases));
        out.addAll(AgopFigures.all(run, phases));
        return Headline.epochsToGrok(run.history) != null ? out : out.stream().map(RunFigures::notGrokked).toList();
    }

    /**
     * The captions say what to look for in a run that groks. For one that has not, each says so first, so that the
     * page does not describe a fall of the test loss or clean clusters that are not in its figures.
     */
    static Figure notGrokked(Figure f) {
        String c = f.caption();
        // "Train accuracy ..." and "A few ..." read on as "train accuracy ...", "a few ...", but a name such as
        // "W_L" keeps its capital.
        boolean word = c.length() > 1 && Character.isUpperCase(c.charAt(0))
                && (Character.isLowerCase(c.charAt(1)) || c.startsWith("A "));
        String rest = word ? Character.toLowerCase(c.charAt(0)) + c.substring(1) : c;
        return new Figure(f.name(), f.title(), NOT_GROKKED + rest, f.width(), f.height(), f.painter());
    }

    static final String NOT_GROKKED = "This run has not grokked (its test accuracy never reached "
            + Math.round(100 * Headline.GROKKED_ACCURACY) + "%), so its figures need not look like this; in a run "
            + "that groks, ";
}
