// fairness/collect.h: the streaming pass that builds FairnessStatistics (written by the lead).
#pragma once
