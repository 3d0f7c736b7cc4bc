/*
 * fake_cufft.c: a stand-in for libcufft, for testing jgrok's cuFFT binding (io.jgrok.device.Cufft) without a GPU.
 * CufftBindingTest compiles it into a temporary libcufft.so.N and loads it like the real one. It implements the five
 * C functions the binding uses, with the real signatures, on HOST memory -- which is what the emulated device's
 * pointers are -- so the binding's argument passing and its plan parameters (strides, distances, batch, output
 * layout) are checked end to end: the real-to-complex transform follows cuFFT's documented advanced data layout,
 *   input[b * idist + x * istride],  output[b * odist + k * ostride]  (k = 0..n/2, complex),
 * evaluated directly in double. Build variants:
 *   -DFAKE_VERSION=11203   the number cufftGetVersion reports
 *   -DFAKE_OMIT_EXEC       leave cufftExecR2C out (a library that loads but lacks a function)
 *   -DFAKE_FAIL_VERSION    cufftGetVersion returns CUFFT_INTERNAL_ERROR
 */
#include <math.h>
#include <stddef.h>

#ifndef FAKE_VERSION
#define FAKE_VERSION 11203
#endif

enum { SUCCESS = 0, INVALID_PLAN = 1, INVALID_TYPE = 3, INVALID_VALUE = 4, INTERNAL_ERROR = 5, MAX_PLANS = 64 };

typedef struct {
    int used, n, istride, idist, ostride, odist, batch;
    void* stream;
} plan_t;

static plan_t plans[MAX_PLANS];

int cufftGetVersion(int* version) {
#ifdef FAKE_FAIL_VERSION
    (void)version;
    return INTERNAL_ERROR;
#else
    *version = FAKE_VERSION;
    return SUCCESS;
#endif
}

int cufftPlanMany(int* plan, int rank, int* n, int* inembed, int istride, int idist, int* onembed, int ostride,
                  int odist, int type, int batch) {
    if (type != 0x2a) {
        return INVALID_TYPE;
    }
    if (rank != 1 || n == NULL || n[0] < 1 || batch < 1 || inembed == NULL || onembed == NULL) {
        return INVALID_VALUE;
    }
    for (int h = 0; h < MAX_PLANS; h++) {
        if (!plans[h].used) {
            plan_t p = {1, n[0], istride, idist, ostride, odist, batch, NULL};
            plans[h] = p;
            *plan = h;
            return SUCCESS;
        }
    }
    return INTERNAL_ERROR;
}

static plan_t* lookup(int plan) {
    return plan >= 0 && plan < MAX_PLANS && plans[plan].used ? &plans[plan] : NULL;
}

int cufftSetStream(int plan, void* stream) {
    plan_t* p = lookup(plan);
    if (p == NULL) {
        return INVALID_PLAN;
    }
    p->stream = stream;
    return SUCCESS;
}

#ifndef FAKE_OMIT_EXEC
int cufftExecR2C(int plan, float* in, float* out) {
    plan_t* p = lookup(plan);
    if (p == NULL) {
        return INVALID_PLAN;
    }
    const double two_pi = 6.283185307179586476925286766559;
    for (int b = 0; b < p->batch; b++) {
        for (int k = 0; k <= p->n / 2; k++) {
            double re = 0, im = 0;
            for (int x = 0; x < p->n; x++) {
                double v = in[(size_t)b * p->idist + (size_t)x * p->istride];
                double angle = two_pi * (double)((long)k * x % p->n) / p->n;
                re += v * cos(angle);
                im -= v * sin(angle);
            }
            float* o = out + 2 * ((size_t)b * p->odist + (size_t)k * p->ostride);
            o[0] = (float)re;
            o[1] = (float)im;
        }
    }
    return SUCCESS;
}
#endif

int cufftDestroy(int plan) {
    plan_t* p = lookup(plan);
    if (p == NULL) {
        return INVALID_PLAN;
    }
    p->used = 0;
    return SUCCESS;
}
