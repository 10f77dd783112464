/*
 * model/interaction: the interaction handle's layout.
 */
#ifndef KEHU_MODEL_INTERACTION_H
#define KEHU_MODEL_INTERACTION_H

#include "codec/interaction.h"
#include "model/db.h"

struct kehu_interaction {
	kehu_db *db;
	kehu__interaction_rec rec;
	int recorded; /* stored, or read back from a history: read-only */
};

/* Frees the db's spare handle (kehu_interaction_free keeps one). */
void kehu__interaction_spare_free(kehu_db *db);

#endif
