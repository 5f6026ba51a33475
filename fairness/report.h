// fairness/report.h: assembling metrics per facet and the JSON report (written by the lead).
#pragma once
