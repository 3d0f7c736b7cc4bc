package io.jgrok.analysis;

/**
 * What {@link AnalysisBackend#logitMeasures} computes for each set of logits: the key frequencies whose
 * cos/sin(w_k(a+b)) directions are kept (restricted) or removed (excluded), the train/test split, and whether the
 * per-frequency restricted losses are wanted too (the final model; over training only the per-frequency excluded
 * losses are kept, since each restricted variant costs a pass over all p^2 inputs).
 *
 * @param keyFrequencies          distinct frequencies in 1..floor(p/2), ascending
 * @param train                   training pair indices a*p + b
 * @param test                    test pair indices
 * @param perFrequencyRestricted  also compute the restricted loss of each key frequency alone
 */
public record AblationPlan(int[] keyFrequencies, int[] train, int[] test, boolean perFrequencyRestricted) {
    public AblationPlan {
        keyFrequencies = keyFrequencies.clone();
        for (int i = 1; i < keyFrequencies.length; i++) {
            if (keyFrequencies[i] <= keyFrequencies[i - 1]) {
                throw new IllegalArgumentException("key frequencies must be distinct and ascending");
            }
        }
    }
}
