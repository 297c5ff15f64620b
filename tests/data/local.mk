# tests/data/local.mk - data sets, weights files and plots (runtime/data/,
# runtime/report/plot.c)
DATA_TEST_HELPERS = tests/data/dtest.h tests/data/dtest.c
DATA_TEST_LIBS = libruntime.a liblang.a $(LIBS)

check_PROGRAMS += tests/data/test_md5 tests/data/test_idx
TESTS += tests/data/test_md5 tests/data/test_idx

tests_data_test_md5_SOURCES = tests/data/test_md5.c $(DATA_TEST_HELPERS)
tests_data_test_md5_LDADD = $(DATA_TEST_LIBS)
tests_data_test_idx_SOURCES = tests/data/test_idx.c $(DATA_TEST_HELPERS)
tests_data_test_idx_LDADD = $(DATA_TEST_LIBS)

check_PROGRAMS += tests/data/test_dataset
TESTS += tests/data/test_dataset
tests_data_test_dataset_SOURCES = tests/data/test_dataset.c $(DATA_TEST_HELPERS)
tests_data_test_dataset_LDADD = $(DATA_TEST_LIBS)

# The real data sets, where a copy is present ($NETLANG_TEST_DATA/NAME);
# skipped, saying so, where not.  One program per set, so that each is
# reported on its own.
OFFICIAL_TESTS = tests/data/official_fashion_mnist tests/data/official_mnist
check_PROGRAMS += $(OFFICIAL_TESTS)
TESTS += $(OFFICIAL_TESTS)
tests_data_official_fashion_mnist_SOURCES = tests/data/test_official.c $(DATA_TEST_HELPERS)
tests_data_official_fashion_mnist_CPPFLAGS = $(AM_CPPFLAGS) -DNL_TEST_SET='"fashion-mnist"'
tests_data_official_fashion_mnist_LDADD = $(DATA_TEST_LIBS)
tests_data_official_mnist_SOURCES = tests/data/test_official.c $(DATA_TEST_HELPERS)
tests_data_official_mnist_CPPFLAGS = $(AM_CPPFLAGS) -DNL_TEST_SET='"mnist"'
tests_data_official_mnist_LDADD = $(DATA_TEST_LIBS)

check_PROGRAMS += tests/data/test_weights
TESTS += tests/data/test_weights
tests_data_test_weights_SOURCES = tests/data/test_weights.c $(DATA_TEST_HELPERS)
tests_data_test_weights_LDADD = $(DATA_TEST_LIBS)

check_PROGRAMS += tests/data/test_plot
TESTS += tests/data/test_plot
EXTRA_DIST += tests/data/check_svg.py
tests_data_test_plot_SOURCES = tests/data/test_plot.c $(DATA_TEST_HELPERS)
tests_data_test_plot_LDADD = $(DATA_TEST_LIBS)

# Images and folders of images: the test writes its own with libpng and
# libjpeg-turbo (imgwrite.c); mkdata writes folders and CIFAR-10 files for
# the shell tests that train on them.
IMG_TEST_HELPERS = $(DATA_TEST_HELPERS) tests/data/imgwrite.h tests/data/imgwrite.c
check_PROGRAMS += tests/data/test_image tests/data/test_folder tests/data/test_cifar \
	tests/data/mkdata
TESTS += tests/data/test_image tests/data/test_folder tests/data/test_cifar
tests_data_test_image_SOURCES = tests/data/test_image.c $(IMG_TEST_HELPERS)
tests_data_test_image_LDADD = $(DATA_TEST_LIBS)
tests_data_test_folder_SOURCES = tests/data/test_folder.c $(IMG_TEST_HELPERS)
tests_data_test_folder_LDADD = $(DATA_TEST_LIBS)
tests_data_test_cifar_SOURCES = tests/data/test_cifar.c $(IMG_TEST_HELPERS)
tests_data_test_cifar_LDADD = $(DATA_TEST_LIBS)
tests_data_mkdata_SOURCES = tests/data/mkdata.c tests/data/imgwrite.h tests/data/imgwrite.c
tests_data_mkdata_LDADD = $(LIBS)
TESTS += tests/data/own_data.sh
EXTRA_DIST += tests/data/own_data.sh
# The image readers' fuzz target, run by hand or CI (not by make check).
EXTRA_DIST += tests/fuzz/fuzz_image.c tests/fuzz/run_image.sh tests/fuzz/corpus-image
