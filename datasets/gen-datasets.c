/* gen-datasets — writes prodml's bundled datasets.
 *
 *     gen-datasets OUTDIR
 *
 * writes OUTDIR/natality/natality.csv, OUTDIR/taxi/{train,eval,serving,dirty}.csv
 * and OUTDIR/spending/spending.csv.  datasets/README documents what each file
 * holds and every defect put in on purpose; tests/cmd/datasets.sh checks that
 * the committed files are byte for byte what this program writes.
 *
 * The output must be identical on every machine and with every compiler, so
 * all arithmetic is on integers: values are drawn and computed in fixed-point
 * units (grams and 1/10000 lb, cents, 1/100 mile, micro-degrees, 1/10 of a
 * percent) and printed with integer formatting.  Floating point would let a
 * compiler fuse a*b+c into an FMA, an x87 keep excess precision, or a libm
 * round exp/log differently, and any of these can move a printed digit.
 * Normal variates are Irwin-Hall sums of twelve 16-bit uniforms (mean 0,
 * variance 1, tails cut at 6 sd); skewed continuous variables come from
 * inverse-CDF tables with linear interpolation.  The random numbers are
 * xoshiro256** seeded through splitmix64, one fixed seed per file, so that
 * changing one file's recipe leaves the others as they are. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- random numbers ------------------------------------------------------- */
struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform on 0..n-1 (n < 2^32) by multiply-shift; the bias of at most
 * n/2^32 is far below anything these datasets could show. */
static int64_t rng_below(struct rng *r, int64_t n)
{
	return (int64_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform on lo..hi inclusive. */
static int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

/* True with probability p/1000. */
static bool rng_permille(struct rng *r, int p)
{
	return rng_below(r, 1000) < p;
}

/* Floor division and division rounded half up, for a positive divisor. */
static int64_t fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if (a % b != 0 && a < 0)
		q--;
	return q;
}

static int64_t rdiv(int64_t a, int64_t b)
{
	return fdiv(2 * a + b, 2 * b);
}

/* mean + sd * Z, Z ~ Irwin-Hall(12) - 6, in the caller's units. */
static int64_t rng_normal(struct rng *r, int64_t mean, int64_t sd)
{
	int64_t s = 0;
	for (int i = 0; i < 12; i++)
		s += (int64_t)(rng_next(r) >> 48);
	s -= 6 * 65536;
	return mean + rdiv(sd * s, 65536);
}

/* Index drawn with probability proportional to w[i]. */
static int rng_pick(struct rng *r, const int *w, int n)
{
	int64_t total = 0;
	for (int i = 0; i < n; i++)
		total += w[i];
	int64_t u = rng_below(r, total);
	for (int i = 0; i < n; i++) {
		if (u < w[i])
			return i;
		u -= w[i];
	}
	return n - 1;
}

/* Inverse CDF: q[0..n-1] are the quantiles at probabilities 0, 1/(n-1), ..,
 * 1 (non-decreasing); values between knots are interpolated linearly. */
static int64_t rng_icdf(struct rng *r, const int64_t *q, int n)
{
	uint64_t pos = (rng_next(r) >> 32) * (uint64_t)(n - 1);
	int i = (int)(pos >> 32);
	uint64_t frac = pos & UINT64_C(0xffffffff);
	return q[i] + (int64_t)(((uint64_t)(q[i + 1] - q[i]) * frac) >> 32);
}

/* Marks k distinct rows of n, none already marked, with tag; returns the
 * rows in the order drawn. */
static void pick_rows(struct rng *r, unsigned char *mark, size_t n, int k, unsigned char tag,
		      size_t *rows)
{
	for (int i = 0; i < k; i++) {
		size_t row;
		do
			row = (size_t)rng_below(r, (int64_t)n);
		while (mark[row]);
		mark[row] = tag;
		rows[i] = row;
	}
}

static int64_t isqrt64(int64_t v)
{
	if (v <= 0)
		return 0;
	int64_t x = v, y = (x + 1) / 2;
	while (y < x) {
		x = y;
		y = (x + v / x) / 2;
	}
	return x;
}

/* ---- output ----------------------------------------------------------------- */
struct out {
	FILE *fp;
	char path[4096];
};

static int out_open(struct out *o, const char *dir, const char *name)
{
	snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
	o->fp = fopen(o->path, "wb");
	if (!o->fp) {
		fprintf(stderr, "gen-datasets: %s: %s\n", o->path, strerror(errno));
		return -1;
	}
	return 0;
}

static int out_close(struct out *o)
{
	bool bad = ferror(o->fp) != 0;
	if (fclose(o->fp) != 0)
		bad = true;
	if (bad) {
		fprintf(stderr, "gen-datasets: %s: write failed\n", o->path);
		return -1;
	}
	return 0;
}

/* One field, quoted per RFC 4180 only when it needs to be. */
static void put_field(FILE *fp, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

#define FIELD_MAX 96
static void put_record(FILE *fp, char (*f)[FIELD_MAX], int n)
{
	for (int i = 0; i < n; i++) {
		if (i)
			fputc(',', fp);
		put_field(fp, f[i]);
	}
	fputc('\n', fp);
}

/* v / 10^dec written with exactly dec decimals. */
static void fmt_fixed(char *buf, int64_t v, int dec)
{
	int64_t p = 1;
	for (int i = 0; i < dec; i++)
		p *= 10;
	uint64_t u = v < 0 ? (uint64_t)-v : (uint64_t)v;
	snprintf(buf, FIELD_MAX, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", u / (uint64_t)p, dec,
		 u % (uint64_t)p);
}

static void fmt_int(char *buf, int64_t v)
{
	snprintf(buf, FIELD_MAX, "%" PRId64, v);
}

static int make_dir(const char *dir, const char *sub)
{
	char path[4096];
	snprintf(path, sizeof path, "%s%s%s", dir, sub ? "/" : "", sub ? sub : "");
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen-datasets: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- natality ------------------------------------------------------------------- */
enum { PLUR_SINGLE, PLUR_TWINS, PLUR_TRIPLETS, PLUR_QUADS, PLUR_MULTIPLE };
static const char *const plurality_name[] = {"Single(1)", "Twins(2)", "Triplets(3)",
					     "Quadruplets(4)", "Multiple(2+)"};
static const int plurality_w[] = {96650, 3200, 140, 10}; /* per 100,000 births */
/* Extra weeks earlier and grams lighter than a single birth. */
static const int plurality_weeks[] = {0, 3, 5, 7};
static const int plurality_grams[] = {0, -450, -700, -900};

#define GEST_MIN 17
/* Births per gestation week 17..47 (shape of US natality data). */
static const int gestation_w[] = {1,   1,   2,   4,    7,    10,   13,   10,   19,  14,  15,
				  30,  41,  41,  54,   83,   137,  221,  368,  569, 1163, 2557,
				  3266, 2627, 1195, 389, 206, 114, 55, 26, 21};
/* Mean weight in grams by gestation week 17..47.  Early weeks run heavier
 * than growth charts because recorded gestation is itself uncertain. */
static const int gestation_grams[] = {350,  380,  400,  550,  570,  620,  650,  800,  800,  1050,
				      1150, 1450, 1600, 1900, 1950, 2150, 2300, 2600, 2750, 2920,
				      3140, 3320, 3465, 3550, 3570, 3500, 3480, 3570, 3540, 3430,
				      3480};

#define AGE_MIN 12
/* Mothers per age 12..50. */
static const int mother_age_w[] = {1,   5,   17,  49,  141, 261, 401, 530, 621, 666, 677, 666, 730,
				   639, 736, 731, 739, 708, 709, 674, 608, 581, 489, 431, 401, 291,
				   229, 182, 140, 78,  55,  34,  20,  6,   5,   4,   2,   2,   2};

struct birth {
	int64_t weight;   /* 1/10000 lb */
	int is_male;      /* 1, 0, or -1 for Unknown */
	int age;          /* 0: missing */
	int plurality;
	int gestation;    /* 0: missing */
};

static void birth_draw(struct rng *r, struct birth *b)
{
	b->plurality = rng_pick(r, plurality_w, NELEM(plurality_w));
	b->is_male = rng_permille(r, 512);
	b->age = AGE_MIN + rng_pick(r, mother_age_w, NELEM(mother_age_w));
	int g = GEST_MIN + rng_pick(r, gestation_w, NELEM(gestation_w));
	g -= plurality_weeks[b->plurality];
	if (g < 20)
		g = 20;
	b->gestation = g;

	int64_t mu = gestation_grams[g - GEST_MIN];
	int64_t sd = g >= 37 ? mu / 10 + 100 : 600;
	mu += b->is_male ? 55 : -55;
	mu += plurality_grams[b->plurality];
	mu -= (int64_t)(b->age - 29) * (b->age - 29) * 6 / 10;
	if (b->age < 18)
		mu -= 60;
	int64_t grams = rng_normal(r, mu, sd);
	if (grams < 250)
		grams = 250 + rng_below(r, 100);
	b->weight = rdiv(grams * 220462, 10000);
}

#define NAT_BIRTHS 12000
#define NAT_COPIES 8000
#define NAT_ROWS (NAT_BIRTHS + NAT_COPIES)

static int write_natality(const char *dir)
{
	struct rng r;
	rng_seed(&r, UINT64_C(0x6e6174616c697479)); /* "natality" */
	struct birth *rows = calloc(NAT_ROWS, sizeof *rows);
	unsigned char *mark = calloc(NAT_ROWS, 1);
	if (!rows || !mark) {
		fprintf(stderr, "gen-datasets: out of memory\n");
		free(rows);
		free(mark);
		return -1;
	}

	size_t n = 0, left = NAT_COPIES;
	for (size_t i = 0; i < NAT_BIRTHS; i++) {
		struct birth b;
		birth_draw(&r, &b);
		/* Records that never got these fields. */
		if (rng_permille(&r, 25))
			b.gestation = 0;
		if (rng_permille(&r, 10))
			b.age = 0;
		rows[n++] = b;
		/* Selection sampling: exactly NAT_COPIES births get a copy as
		 * if no ultrasound had been done: sex unknown, and plurality
		 * only known as one or more than one. */
		if ((size_t)rng_below(&r, NAT_BIRTHS - i) < left) {
			left--;
			b.is_male = -1;
			b.plurality = b.plurality == PLUR_SINGLE ? PLUR_SINGLE : PLUR_MULTIPLE;
			rows[n++] = b;
		}
	}
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)rng_below(&r, (int64_t)i + 1);
		struct birth t = rows[i];
		rows[i] = rows[j];
		rows[j] = t;
	}

	/* Entry errors, in exact numbers of rows. */
	size_t picked[16];
	pick_rows(&r, mark, n, 15, 1, picked);
	for (int i = 0; i < 15; i++)
		rows[picked[i]].gestation = 99; /* the registry's "unknown" code */
	pick_rows(&r, mark, n, 6, 2, picked);
	for (int i = 0; i < 6; i++)
		rows[picked[i]].weight = rng_range(&r, 152000, 181000);

	struct out o;
	if (make_dir(dir, "natality") || out_open(&o, dir, "natality/natality.csv")) {
		free(rows);
		free(mark);
		return -1;
	}
	fputs("weight_pounds,is_male,mother_age,plurality,gestation_weeks\n", o.fp);
	char f[5][FIELD_MAX];
	for (size_t i = 0; i < n; i++) {
		const struct birth *b = &rows[i];
		fmt_fixed(f[0], b->weight, 4);
		strcpy(f[1], b->is_male < 0 ? "Unknown" : b->is_male ? "True" : "False");
		if (b->age)
			fmt_int(f[2], b->age);
		else
			f[2][0] = 0;
		strcpy(f[3], plurality_name[b->plurality]);
		if (b->gestation)
			fmt_int(f[4], b->gestation);
		else
			f[4][0] = 0;
		put_record(o.fp, f, 5);
	}
	free(rows);
	free(mark);
	return out_close(&o);
}

/* ---- taxi ----------------------------------------------------------------------------- */
/* Chicago's 77 community areas: approximate centre (micro-degrees) and how
 * often trips start there. */
static const struct {
	int lat, lon, w;
} area[78] = {
	{0, 0, 0},
	{42009000, -87670000, 50},  {41999000, -87693000, 30},  {41966000, -87655000, 200},
	{41975000, -87689000, 30},  {41947000, -87679000, 80},  {41944000, -87653000, 800},
	{41921000, -87647000, 600}, {41900000, -87634000, 4000}, {42008000, -87814000, 5},
	{41985000, -87805000, 5},   {41971000, -87763000, 8},   {41993000, -87752000, 5},
	{41981000, -87721000, 5},   {41968000, -87723000, 10},  {41958000, -87764000, 8},
	{41953000, -87724000, 10},  {41946000, -87807000, 5},   {41928000, -87799000, 5},
	{41931000, -87768000, 5},   {41923000, -87734000, 5},   {41939000, -87711000, 30},
	{41923000, -87701000, 150}, {41902000, -87721000, 10},  {41900000, -87676000, 450},
	{41894000, -87766000, 8},   {41880000, -87729000, 5},   {41881000, -87703000, 8},
	{41877000, -87665000, 900}, {41860000, -87718000, 5},   {41843000, -87713000, 5},
	{41852000, -87666000, 20},  {41879000, -87628000, 2200}, {41857000, -87621000, 250},
	{41840000, -87633000, 30},  {41835000, -87618000, 50},  {41823000, -87602000, 5},
	{41809000, -87632000, 5},   {41813000, -87618000, 8},   {41809000, -87596000, 10},
	{41793000, -87618000, 5},   {41794000, -87593000, 60},  {41779000, -87598000, 8},
	{41763000, -87577000, 8},   {41741000, -87613000, 5},   {41745000, -87587000, 5},
	{41740000, -87555000, 5},   {41728000, -87597000, 5},   {41729000, -87576000, 5},
	{41713000, -87623000, 5},   {41700000, -87607000, 5},   {41694000, -87565000, 5},
	{41707000, -87535000, 5},   {41674000, -87635000, 5},   {41660000, -87604000, 5},
	{41662000, -87550000, 5},   {41793000, -87770000, 120}, {41811000, -87727000, 5},
	{41818000, -87699000, 5},   {41831000, -87673000, 8},   {41838000, -87647000, 10},
	{41808000, -87657000, 5},   {41794000, -87724000, 5},   {41795000, -87696000, 5},
	{41779000, -87770000, 5},   {41771000, -87723000, 5},   {41775000, -87696000, 5},
	{41778000, -87667000, 5},   {41779000, -87645000, 5},   {41763000, -87614000, 5},
	{41747000, -87708000, 5},   {41744000, -87655000, 5},   {41714000, -87675000, 5},
	{41717000, -87650000, 5},   {41695000, -87713000, 5},   {41690000, -87668000, 5},
	{41980000, -87903000, 400}, {41987000, -87661000, 150},
};
#define AREA_OHARE 76
#define AREA_MIDWAY 56

/* Trips per start hour 0..23. */
static const int hour_w[] = {40, 36, 28, 19, 13, 10, 13, 20, 35, 44, 46, 41,
			     50, 47, 49, 48, 51, 55, 63, 67, 64, 56, 56, 48};
/* Typical speed by hour, in 1/10 mph. */
static const int hour_speed[] = {220, 220, 220, 220, 220, 220, 170, 110, 110, 110, 140, 140,
				 140, 140, 140, 140, 110, 110, 110, 170, 170, 170, 170, 220};
/* How the hour moves a card tip, in 1/10 percent of the fare. */
static const int hour_tip[] = {25, 25, 25, 25, 10, 10, 10, -15, -15, -15, 0,  0,
			       0,  0,  0,  0,  5,  5,  5,  15, 15, 15, 25, 25};

enum { PAY_CASH, PAY_CARD, PAY_NOCHARGE, PAY_UNKNOWN, PAY_DISPUTE, PAY_MOBILE, PAY_PRCARD };
static const char *const payment_name[] = {"Cash",    "Credit Card", "No Charge", "Unknown",
					   "Dispute", "Mobile",      "Prcard"};
/* Payment shares per 10,000 trips: training and evaluation data, and the
 * serving data (cash up 10 points). */
#define NPAY_DRAWN 6 /* Prcard is put into the evaluation data by hand */
static const int payment_w_train[NPAY_DRAWN] = {5500, 4000, 150, 100, 50, 200};
static const int payment_w_serving[NPAY_DRAWN] = {6500, 3100, 125, 75, 50, 150};

/* Companies: heavy-tailed shares, and how each one's riders tip by card
 * (1/10 percent of the fare). */
static const struct {
	const char *name;
	int w, tip;
} company[] = {
	{"Taxi Affiliation Services, LLC", 3200, -10},
	{"Dispatch Taxi Affiliation", 1100, 5},
	{"Blue Ribbon Taxi Association Inc.", 750, 20},
	{"Choice Taxi Association", 600, -5},
	{"Northwest Management LLC", 380, 15},
	{"Flash Cab", 300, 25},
	{"KOAM Taxi Association", 160, -20},
	{"Top Cab Affiliation", 90, 0},
	{"Sun Taxi", 80, 10},
	{"City Service", 60, 30},
	{"Chicago Medallion Leasing INC", 40, -15},
	{"Chicago Elite Cab Corp. (Chicago Carriag", 30, 5},
	{"Medallion Leasin", 25, -10},
	{"Globe Taxi", 22, 10},
	{"Star North Management LLC", 20, 20},
	{"American United Taxi Affiliation", 18, -5},
	{"Chicago Independents", 16, 15},
	{"Yellow Cab \"Checker\" Co.", 14, 0},
	{"Setare Inc", 12, -25},
	{"Nova Taxi Affiliation Llc", 12, 10},
	{"3319 - 72818 Lincoln Park Cab", 10, 35},
	{"5437 - 20810 Ashland Taxi, Inc.", 10, -20},
	{"\"Big Red\" Cab Co", 10, 5},
	{"2241 - 44667 Felman Corp, Manuel Alonso", 9, 15},
	{"0965 - Wacker Dr. Taxi", 9, -10},
	{"4787 - 56058 Reny Cab Co", 9, 0},
	{"1247 - 41386 Halsted Cab", 8, 25},
	{"3556 - 36214 RC Andrews Cab", 8, -15},
	{"6062 - 40371 Marquette Taxi", 8, 10},
	{"2809 - 19043 Lakeside Cab Co.", 8, 20},
};

/* Companies that start in the evaluation data only. */
static const char *const company_new[] = {
	"1729 - 31415 Austin Ave Cab", "5167 - 55129 Kostas Taxi, Corp.",
	"Lakeshore \"Express\" Taxi",   "8001 - 27441 Midway Shuttle",
	"Windy City Cab Association",  "2901 - 18402 Pilsen Cab Co",
	"7712 - 33110 Bronzeville Taxi", "Uptown Cab Co",
};

/* Trips within one community area: miles, in 1/100 mile, at the 0, 1/8, ..
 * 1 quantiles. */
static const int64_t short_miles_q[] = {20, 35, 50, 65, 80, 100, 125, 160, 240};

struct trip {
	int64_t ts; /* seconds since 1970 UTC */
	int month, hour, day;
	int pickup, dropoff;         /* dropoff 0: missing */
	bool dropoff_point;          /* dropoff coordinates known */
	int plat, plon, dlat, dlon;  /* micro-degrees */
	int64_t miles;               /* 1/100 mile, as recorded */
	int64_t seconds, fare, tips; /* fare and tips in cents */
	int payment;
	const char *company;         /* NULL: missing */
};

/* Date of a day number since 1970-01-01 (proleptic Gregorian). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* One of the few spots (census tracts) where trips in an area are put. */
static void area_point(struct rng *r, int a, int *lat, int *lon)
{
	int spots = 1 + area[a].w / 150;
	if (spots > 12)
		spots = 12;
	uint64_t h = (uint64_t)a * 1000 + (uint64_t)rng_below(r, spots);
	uint64_t v = splitmix64(&h);
	*lat = area[a].lat + (int)(v % 12001) - 6000;
	*lon = area[a].lon + (int)((v >> 32) % 16001) - 8000;
}

#define EPOCH_2013 15706 /* days from 1970-01-01 to 2013-01-01 */
#define DAYS_2013_2016 1461

struct taxi_spec {
	const int *payment_w;         /* NPAY_DRAWN weights */
	int64_t miles_num, miles_den; /* recorded miles = true miles * num / den */
	int company_w[NELEM(company)];
};

static void trip_draw(struct rng *r, const struct taxi_spec *spec, struct trip *t)
{
	int64_t day = EPOCH_2013 + rng_below(r, DAYS_2013_2016);
	int y, d;
	civil_from_days(day, &y, &t->month, &d);
	t->day = (int)((day + 4) % 7) + 1; /* 1 = Sunday; 1970-01-01 was a Thursday */
	t->hour = rng_pick(r, hour_w, NELEM(hour_w));
	t->ts = day * 86400 + t->hour * 3600 + 900 * rng_below(r, 4);

	int aw[78];
	for (int a = 0; a < 78; a++)
		aw[a] = area[a].w;
	t->pickup = rng_pick(r, aw, 78);
	area_point(r, t->pickup, &t->plat, &t->plon);
	bool airport = t->pickup == AREA_OHARE || t->pickup == AREA_MIDWAY;
	if (airport && rng_permille(r, 700))
		t->dropoff = rng_permille(r, 600) ? 8 : 32;
	else if (rng_permille(r, 250))
		t->dropoff = t->pickup;
	else {
		for (int a = 1; a < 78; a++)
			aw[a] = area[a].w + 4; /* trips end more widely than they start */
		t->dropoff = rng_pick(r, aw, 78);
	}
	area_point(r, t->dropoff, &t->dlat, &t->dlon);

	/* Road miles: straight line (69 mi per degree of latitude, 51.6 per
	 * degree of longitude here) times a detour factor. */
	int64_t dy = (int64_t)(t->dlat - t->plat) * 69 / 100;   /* 1/10000 mile */
	int64_t dx = (int64_t)(t->dlon - t->plon) * 516 / 1000;
	int64_t dist = isqrt64(dy * dy + dx * dx);
	int64_t miles = rdiv(dist * rng_range(r, 1100, 1400), 100000);
	if (miles < 20)
		miles = rng_icdf(r, short_miles_q, NELEM(short_miles_q));

	int speed = hour_speed[t->hour] + (airport || t->dropoff == AREA_OHARE ? 50 : 0);
	int64_t secs = miles * 360 / speed;
	secs = secs * rng_normal(r, 1000, 150) / 1000;
	if (secs < 0)
		secs = 0;
	secs = rdiv(secs + 90, 60) * 60;
	t->seconds = secs;

	/* The meter: $3.25 flag, $2.25 a mile, 20 cents a minute, in quarters;
	 * extras for more riders or bags. */
	static const int extra_w[] = {850, 100, 40, 10};
	static const int extra_cents[] = {0, 100, 200, 400};
	int64_t fare = 325 + miles * 225 / 100 + secs / 60 * 20;
	t->fare = rdiv(fare, 25) * 25 + extra_cents[rng_pick(r, extra_w, NELEM(extra_w))];

	t->miles = rdiv(miles * spec->miles_num, spec->miles_den);
	t->payment = rng_pick(r, spec->payment_w, NPAY_DRAWN);
	t->company = rng_permille(r, 100) ? NULL
					  : company[rng_pick(r, spec->company_w, NELEM(company))].name;

	/* Trips that end outside the city have no dropoff area or point;
	 * a few more lack only the area. */
	t->dropoff_point = true;
	if (rng_permille(r, 70)) {
		t->dropoff = 0;
		t->dropoff_point = false;
	} else if (rng_permille(r, 12)) {
		t->dropoff = 0;
	}
	t->tips = 0;
}

static int company_tip(const char *name)
{
	if (!name)
		return 0;
	for (size_t i = 0; i < NELEM(company); i++)
		if (strcmp(company[i].name, name) == 0)
			return company[i].tip;
	return 0;
}

/* Tips as the data records them: card tips go through the meter, cash tips
 * mostly do not. */
static int64_t trip_tip(struct rng *r, const struct trip *t)
{
	int base;
	switch (t->payment) {
	case PAY_CARD:
		base = 175;
		break;
	case PAY_MOBILE:
		base = 150;
		break;
	case PAY_PRCARD:
		base = 160;
		break;
	case PAY_UNKNOWN:
		if (!rng_permille(r, 300))
			return 0;
		base = 120;
		break;
	case PAY_CASH:
		return rng_permille(r, 40) ? 100 * rng_range(r, 1, 3) : 0;
	default:
		return 0;
	}
	if (rng_permille(r, 70))
		return 0;
	int64_t pct = rng_normal(r, base + hour_tip[t->hour] + company_tip(t->company), 35);
	if (pct < 0)
		pct = 0;
	if (pct > 350)
		pct = 350;
	int64_t tip = rdiv(t->fare * pct, 1000);
	if (rng_permille(r, 200))
		tip = (tip + 99) / 100 * 100; /* rounded up to whole dollars */
	return tip;
}

enum {
	T_PICKUP_AREA, T_FARE, T_MONTH, T_HOUR, T_DAY, T_TS, T_PLAT, T_PLON, T_DLAT, T_DLON,
	T_MILES, T_SECONDS, T_PAYMENT, T_COMPANY, T_DROPOFF_AREA, T_TIPS, T_NFIELDS
};
static const char taxi_header[] =
	"pickup_community_area,fare,trip_start_month,trip_start_hour,trip_start_day,"
	"trip_start_timestamp,pickup_latitude,pickup_longitude,dropoff_latitude,"
	"dropoff_longitude,trip_miles,trip_seconds,payment_type,company,"
	"dropoff_community_area";

static void trip_fields(const struct trip *t, char (*f)[FIELD_MAX])
{
	fmt_int(f[T_PICKUP_AREA], t->pickup);
	fmt_fixed(f[T_FARE], t->fare, 2);
	fmt_int(f[T_MONTH], t->month);
	fmt_int(f[T_HOUR], t->hour);
	fmt_int(f[T_DAY], t->day);
	int y, m, d;
	civil_from_days(fdiv(t->ts, 86400), &y, &m, &d);
	int64_t sod = t->ts - fdiv(t->ts, 86400) * 86400;
	snprintf(f[T_TS], FIELD_MAX, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, (int)(sod / 3600),
		 (int)(sod / 60 % 60), (int)(sod % 60));
	fmt_fixed(f[T_PLAT], t->plat, 6);
	fmt_fixed(f[T_PLON], t->plon, 6);
	if (t->dropoff_point) {
		fmt_fixed(f[T_DLAT], t->dlat, 6);
		fmt_fixed(f[T_DLON], t->dlon, 6);
	} else {
		f[T_DLAT][0] = f[T_DLON][0] = 0;
	}
	fmt_fixed(f[T_MILES], t->miles, 2);
	fmt_int(f[T_SECONDS], t->seconds);
	strcpy(f[T_PAYMENT], payment_name[t->payment]);
	snprintf(f[T_COMPANY], FIELD_MAX, "%s", t->company ? t->company : "");
	if (t->dropoff)
		fmt_int(f[T_DROPOFF_AREA], t->dropoff);
	else
		f[T_DROPOFF_AREA][0] = 0;
	fmt_fixed(f[T_TIPS], t->tips, 2);
}

enum taxi_kind { TAXI_TRAIN, TAXI_EVAL, TAXI_SERVING, TAXI_DIRTY };

static int write_taxi(const char *dir, enum taxi_kind kind)
{
	static const struct {
		const char *file;
		uint64_t seed;
		size_t rows;
		int zero_miles, long_secs, prcard, new_company;
	} spec_of[] = {
		[TAXI_TRAIN] = {"taxi/train.csv", 0x7461786974726e, 10000, 10, 8, 0, 0},
		[TAXI_EVAL] = {"taxi/eval.csv", 0x7461786965766c, 3000, 3, 2, 12, 14},
		[TAXI_SERVING] = {"taxi/serving.csv", 0x7461786973727621, 2000, 0, 0, 0, 0},
		[TAXI_DIRTY] = {"taxi/dirty.csv", 0x7461786964727479, 200, 0, 0, 0, 0},
	};
	struct taxi_spec spec = {.payment_w = payment_w_train, .miles_num = 1, .miles_den = 1};
	if (kind == TAXI_SERVING) {
		spec.payment_w = payment_w_serving;
		spec.miles_num = 13;
		spec.miles_den = 10;
	}
	for (size_t i = 0; i < NELEM(company); i++)
		spec.company_w[i] = company[i].w;

	struct rng r;
	rng_seed(&r, spec_of[kind].seed);
	size_t n = spec_of[kind].rows;
	struct trip *rows = calloc(n, sizeof *rows);
	unsigned char *mark = calloc(n, 1);
	if (!rows || !mark) {
		fprintf(stderr, "gen-datasets: out of memory\n");
		free(rows);
		free(mark);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		trip_draw(&r, &spec, &rows[i]);

	size_t picked[32];
	int k = spec_of[kind].prcard;
	pick_rows(&r, mark, n, k, 1, picked);
	for (int i = 0; i < k; i++)
		rows[picked[i]].payment = PAY_PRCARD;
	k = spec_of[kind].new_company;
	pick_rows(&r, mark, n, k, 2, picked);
	for (int i = 0; i < k; i++) /* each new name at least once */
		rows[picked[i]].company = company_new[i < (int)NELEM(company_new)
							      ? i
							      : rng_below(&r, NELEM(company_new))];
	if (kind != TAXI_SERVING)
		for (size_t i = 0; i < n; i++)
			rows[i].tips = trip_tip(&r, &rows[i]);
	/* Meter faults, after the tips were paid on the true fare: no miles
	 * but a large fare, and meters left running for many hours. */
	k = spec_of[kind].zero_miles;
	pick_rows(&r, mark, n, k, 3, picked);
	for (int i = 0; i < k; i++) {
		rows[picked[i]].miles = 0;
		rows[picked[i]].fare = rng_range(&r, 400, 1800) * 25;
	}
	k = spec_of[kind].long_secs;
	pick_rows(&r, mark, n, k, 4, picked);
	for (int i = 0; i < k; i++)
		rows[picked[i]].seconds = rng_range(&r, 600, 1440) * 60;

	struct out o;
	if (make_dir(dir, "taxi") || out_open(&o, dir, spec_of[kind].file)) {
		free(rows);
		free(mark);
		return -1;
	}
	bool with_tips = kind != TAXI_SERVING;
	fprintf(o.fp, "%s%s\n", taxi_header, with_tips ? ",tips" : "");
	int nf = with_tips ? T_NFIELDS : T_NFIELDS - 1;
	char f[T_NFIELDS + 1][FIELD_MAX];
	for (size_t i = 0; i < n; i++) {
		trip_fields(&rows[i], f);
		if (kind == TAXI_DIRTY) {
			/* Damage at fixed physical lines; README lists them.  Data
			 * row i starts on line i+2 up to the two-line record at
			 * row 9, and on line i+3 after it. */
			switch (i) {
			case 9: /* valid: a quoted line break */
				strcpy(f[T_COMPANY], "Taxi Affiliation Services, LLC\n(night desk)");
				break;
			case 28: /* line 31: ragged */
				put_record(o.fp, f, 10);
				continue;
			case 55: /* line 58: Latin-1 byte, invalid UTF-8 */
				strcpy(f[T_COMPANY], "Caf\xe9 Cab Co");
				break;
			case 74: /* line 77 */
				strcpy(f[T_FARE], "n/a?");
				break;
			case 101: /* line 104 */
				strcpy(f[T_MILES], "twelve");
				break;
			case 117: /* line 120 */
				strcpy(f[T_FARE], "NaN");
				break;
			case 138: /* line 141 */
				strcpy(f[T_TIPS], "nan");
				break;
			case 160: /* line 163: one field too many */
				strcpy(f[T_NFIELDS], "1.00");
				put_record(o.fp, f, T_NFIELDS + 1);
				continue;
			}
		}
		put_record(o.fp, f, nf);
	}
	free(rows);
	free(mark);
	return out_close(&o);
}

/* ---- spending score ----------------------------------------------------------------- */
static const struct {
	const char *name;
	int w, graduated;   /* share of graduates, per mille */
	int low, avg, high; /* Spending_Score odds before the other features */
} profession[] = {
	{"Artist", 305, 750, 50, 42, 8},   {"Doctor", 86, 720, 70, 24, 6},
	{"Engineer", 88, 700, 58, 32, 10}, {"Entertainment", 119, 640, 60, 35, 5},
	{"Executive", 75, 600, 25, 14, 61}, {"Healthcare", 167, 160, 92, 5, 3},
	{"Homemaker", 31, 350, 68, 20, 12}, {"Lawyer", 78, 800, 42, 4, 54},
	{"Marketing", 39, 380, 83, 5, 12},
};
static const int work_w[] = {283, 294, 38, 30, 33, 23, 27, 27, 56, 53, 7, 7, 7, 5, 7}; /* 0..14 */
static const int family_w[] = {186, 308, 196, 179, 80, 25, 13, 6, 5};                  /* 1..9 */

#define SPENDING_ROWS 4000

static int write_spending(const char *dir)
{
	struct rng r;
	rng_seed(&r, UINT64_C(0x7370656e64696e67)); /* "spending" */
	int pw[NELEM(profession)];
	for (size_t i = 0; i < NELEM(profession); i++)
		pw[i] = profession[i].w;

	struct out o;
	if (make_dir(dir, "spending") || out_open(&o, dir, "spending/spending.csv"))
		return -1;
	fputs("Graduated,Profession,Work_Experience,Family_Size,Spending_Score\n", o.fp);
	static const char *const score_name[] = {"Low", "Average", "High"};
	char f[5][FIELD_MAX];
	for (int i = 0; i < SPENDING_ROWS; i++) {
		int p = rng_pick(&r, pw, NELEM(pw));
		bool grad = rng_permille(&r, profession[p].graduated);
		int work = rng_pick(&r, work_w, NELEM(work_w));
		int fam = 1 + rng_pick(&r, family_w, NELEM(family_w));

		/* Odds in tenths: family size matters most (people living
		 * alone spend little, couples most), then education and
		 * long careers. */
		int w[3] = {profession[p].low * 10, profession[p].avg * 10, profession[p].high * 10};
		if (fam == 1) {
			w[0] *= 30;
		} else if (fam == 2) {
			w[1] = w[1] * 13 / 10;
			w[2] *= 2;
		} else if (fam >= 7) {
			w[0] = w[0] * 15 / 10;
		}
		if (grad)
			w[1] = w[1] * 16 / 10;
		else
			w[0] = w[0] * 12 / 10;
		if (work >= 8)
			w[0] = w[0] * 13 / 10;
		int score = rng_pick(&r, w, 3);

		strcpy(f[0], rng_permille(&r, 9) ? "" : grad ? "Yes" : "No");
		strcpy(f[1], rng_permille(&r, 14) ? "" : profession[p].name);
		if (rng_permille(&r, 100))
			f[2][0] = 0;
		else
			fmt_int(f[2], work);
		if (rng_permille(&r, 42))
			f[3][0] = 0;
		else
			fmt_int(f[3], fam);
		strcpy(f[4], score_name[score]);
		put_record(o.fp, f, 5);
	}
	return out_close(&o);
}

int main(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: gen-datasets OUTDIR\n"
				"writes prodml's bundled datasets under OUTDIR\n");
		return 2;
	}
	const char *dir = argv[1];
	if (make_dir(dir, NULL) || write_natality(dir) || write_taxi(dir, TAXI_TRAIN) ||
	    write_taxi(dir, TAXI_EVAL) || write_taxi(dir, TAXI_SERVING) ||
	    write_taxi(dir, TAXI_DIRTY) || write_spending(dir))
		return 1;
	return 0;
}
