/* libsphereface_mpi.so: the few MPI calls data-parallel training needs, compiled against the MPI at hand (Debian's
 * Open MPI 4.1), so .NET binds a small stable C ABI instead of Open MPI's handles (pointers to its own globals).
 * The training CLI loads it only when it runs under mpirun (OMPI_COMM_WORLD_SIZE set). Every function returns an MPI
 * error code (MPI_SUCCESS = 0); sf_mpi_error_string turns one into text. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#define EXPORT __attribute__((visibility("default")))

/* Open MPI loads its components with dlopen and they resolve symbols of libmpi globally; a libmpi pulled in as the
 * dependency of a library that .NET opened RTLD_LOCAL is invisible to them, so it is promoted to RTLD_GLOBAL first. */
static void PromoteLibMpi(void) {
  Dl_info info;
  if (dladdr((void*)&MPI_Init, &info) && info.dli_fname != NULL) dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
}

EXPORT int sf_mpi_init(int* rank, int* size) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    PromoteLibMpi();
    /* The parameters and momenta are large messages (SF-4: 90 MB); Open MPI 4.1's default allreduce choice took
     * 320 ms for them on 2 loopback ranks, its ring algorithm 53 ms (docs/distributed.md). A user's own setting wins. */
    setenv("OMPI_MCA_coll_tuned_use_dynamic_rules", "1", 0);
    setenv("OMPI_MCA_coll_tuned_allreduce_algorithm", "4", 0);
    int provided = 0;
    int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
    if (rc != MPI_SUCCESS) return rc;
  }
  /* Errors come back as codes, so the caller can report them (the default handler aborts the whole job silently). */
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  int rc = MPI_Comm_rank(MPI_COMM_WORLD, rank);
  return rc != MPI_SUCCESS ? rc : MPI_Comm_size(MPI_COMM_WORLD, size);
}

/* In-place sum over all ranks of `count` floats, in pieces that fit MPI's int counts. */
EXPORT int sf_mpi_allreduce_sum_f32(float* data, int64_t count) {
  const int64_t piece = INT_MAX / 2;
  for (int64_t done = 0; done < count; done += piece) {
    int n = (int)(count - done < piece ? count - done : piece);
    int rc = MPI_Allreduce(MPI_IN_PLACE, data + done, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    if (rc != MPI_SUCCESS) return rc;
  }
  return MPI_SUCCESS;
}

/* In-place sum over all ranks of `count` doubles. */
EXPORT int sf_mpi_allreduce_sum_f64(double* data, int count) {
  return MPI_Allreduce(MPI_IN_PLACE, data, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

/* The smallest and the largest of every rank's `value`: equal exactly when all ranks hold the same value. */
EXPORT int sf_mpi_allreduce_min_max_u64(uint64_t value, uint64_t* min, uint64_t* max) {
  int rc = MPI_Allreduce(&value, min, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
  return rc != MPI_SUCCESS ? rc : MPI_Allreduce(&value, max, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
}

EXPORT int sf_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

/* Ends every rank of the job (mpirun reports it); used when a collective hangs or a rank cannot go on. */
EXPORT void sf_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

EXPORT int sf_mpi_finalize(void) {
  int finalized = 0;
  MPI_Finalized(&finalized);
  return finalized ? MPI_SUCCESS : MPI_Finalize();
}

EXPORT void sf_mpi_error_string(int code, char* buffer, int capacity) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (capacity <= 0) return;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  if (length >= capacity) length = capacity - 1;
  memcpy(buffer, text, (size_t)length);
  buffer[length] = '\0';
}
