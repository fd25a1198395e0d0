/* SPDX-License-Identifier: GPL-2.0-only */
/* shim: see ctxsw_kshim.h */
#include "ctxsw_kshim.h"
