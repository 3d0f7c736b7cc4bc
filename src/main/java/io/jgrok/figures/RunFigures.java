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
        return out;
    }
}
