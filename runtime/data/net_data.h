/* net_data.h - the data a net trains on: the data set the run names,
 * loaded for the net's input (a folder of images decoded to its channels
 * and size), checked against the net (channels, classes), and the
 * per-channel normalisation that goes with it (train { normalize ... }).
 */
#ifndef NL_NET_DATA_H
#define NL_NET_DATA_H

#include "lang/graph.h"
#include "runtime/data/imageset.h"
#include "lang/settings.h"

typedef struct nl_net_data {
	nl_dataset train, test;
	int normalize;                  /* norm holds means then deviations */
	float norm[2 * NL_DATA_MAX_C];
	char where[1024];               /* where the data came from, for reports */
} nl_net_data;

/* Open the data for g as o and g's train section say; print a line about
 * normalize auto's figures unless quiet.  Returns 0, or -1 after a message
 * (d is then empty). */
int nl_net_data_open(nl_net_data *d, const nl_graph *g, const nl_options *o, int quiet);

/* The net's last layer (node `logits`, `classes` outputs) against the data
 * set's classes: equal, or -1 after a message located at that layer. */
int nl_net_data_check_classes(const nl_net_data *d, const nl_graph *g, int logits,
                              int classes);

/* Class names loaded with weights from path against the data set's:
 * -1 after a message when both are known and differ. */
int nl_net_data_check_names(const nl_net_data *d, const char *path, char *const *names,
                            int nnames);

void nl_net_data_close(nl_net_data *d);

#endif
