# tests/data/local.mk - data sets, weights files and plots (runtime/data/,
# runtime/report/plot.c)
DATA_TEST_HELPERS = tests/data/dtest.h tests/data/dtest.c
DATA_TEST_LIBS = libruntime.a liblang.a $(LIBS)

check_PROGRAMS += tests/data/md5_test tests/data/idx_test
TESTS += tests/data/md5_test tests/data/idx_test

tests_data_md5_test_SOURCES = tests/data/md5_test.c $(DATA_TEST_HELPERS)
tests_data_md5_test_LDADD = $(DATA_TEST_LIBS)
tests_data_idx_test_SOURCES = tests/data/idx_test.c $(DATA_TEST_HELPERS)
tests_data_idx_test_LDADD = $(DATA_TEST_LIBS)

check_PROGRAMS += tests/data/dataset_test
TESTS += tests/data/dataset_test
tests_data_dataset_test_SOURCES = tests/data/dataset_test.c $(DATA_TEST_HELPERS)
tests_data_dataset_test_LDADD = $(DATA_TEST_LIBS)

# The real data sets, where a copy is present ($NETLANG_TEST_DATA/NAME);
# skipped, saying so, where not.  One program per set, so that each is
# reported on its own.
OFFICIAL_TESTS = tests/data/official_fashion_mnist tests/data/official_mnist
check_PROGRAMS += $(OFFICIAL_TESTS)
TESTS += $(OFFICIAL_TESTS)
tests_data_official_fashion_mnist_SOURCES = tests/data/official_test.c $(DATA_TEST_HELPERS)
tests_data_official_fashion_mnist_CPPFLAGS = $(AM_CPPFLAGS) -DNL_TEST_SET='"fashion-mnist"'
tests_data_official_fashion_mnist_LDADD = $(DATA_TEST_LIBS)
tests_data_official_mnist_SOURCES = tests/data/official_test.c $(DATA_TEST_HELPERS)
tests_data_official_mnist_CPPFLAGS = $(AM_CPPFLAGS) -DNL_TEST_SET='"mnist"'
tests_data_official_mnist_LDADD = $(DATA_TEST_LIBS)

check_PROGRAMS += tests/data/weights_test
TESTS += tests/data/weights_test
tests_data_weights_test_SOURCES = tests/data/weights_test.c $(DATA_TEST_HELPERS)
tests_data_weights_test_LDADD = $(DATA_TEST_LIBS)

check_PROGRAMS += tests/data/plot_test
TESTS += tests/data/plot_test
EXTRA_DIST += tests/data/check_svg.py
tests_data_plot_test_SOURCES = tests/data/plot_test.c $(DATA_TEST_HELPERS)
tests_data_plot_test_LDADD = $(DATA_TEST_LIBS)

# Images and folders of images: the test writes its own with libpng and
# libjpeg-turbo (imgwrite.c); mkdata writes folders and CIFAR-10 files for
# the shell tests that train on them.
IMG_TEST_HELPERS = $(DATA_TEST_HELPERS) tests/data/imgwrite.h tests/data/imgwrite.c
check_PROGRAMS += tests/data/image_test tests/data/folder_test tests/data/cifar_test \
	tests/data/mkdata
TESTS += tests/data/image_test tests/data/folder_test tests/data/cifar_test
tests_data_image_test_SOURCES = tests/data/image_test.c $(IMG_TEST_HELPERS)
tests_data_image_test_LDADD = $(DATA_TEST_LIBS)
tests_data_folder_test_SOURCES = tests/data/folder_test.c $(IMG_TEST_HELPERS)
tests_data_folder_test_LDADD = $(DATA_TEST_LIBS)
tests_data_cifar_test_SOURCES = tests/data/cifar_test.c $(IMG_TEST_HELPERS)
tests_data_cifar_test_LDADD = $(DATA_TEST_LIBS)
tests_data_mkdata_SOURCES = tests/data/mkdata.c tests/data/imgwrite.h tests/data/imgwrite.c
tests_data_mkdata_LDADD = $(LIBS)
TESTS += tests/data/own_data.sh
EXTRA_DIST += tests/data/own_data.sh
# The image readers' fuzz target, run by hand or CI (not by make check).
EXTRA_DIST += tests/fuzz/fuzz_image.c tests/fuzz/run_image.sh tests/fuzz/corpus-image
