// analysis_fourier.cuh: the row layout of the paper's real Fourier basis, shared by the analysis kernels
// (io.jgrok.analysis.FourierBasis is the Java twin and the reference).
//
// Row 0 is the constant. For each frequency k = 1..(p-1)/2 there is a cos row and a sin row: cos-first order (the
// paper's notebook) puts cos k at 2k-1 and sin k at 2k, sin-first (the TransformerLens demo) the other way round.
// An even p has one more frequency, p/2, with only a cos row, the last row p-1.
#pragma once

// Row of cos k.
__device__ __forceinline__ int analysis_cos_row(int k, int p, int cos_first) {
    if (2 * k == p) {
        return p - 1;
    }
    return cos_first ? 2 * k - 1 : 2 * k;
}

// Row of sin k, or -1 for the Nyquist frequency p/2 of an even p.
__device__ __forceinline__ int analysis_sin_row(int k, int p, int cos_first) {
    if (2 * k == p) {
        return -1;
    }
    return cos_first ? 2 * k : 2 * k - 1;
}
