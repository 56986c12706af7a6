// SPDX-License-Identifier: GPL-2.0
/* Which devices get fq: those of the default routes, read from /proc/net. */
#define UNIT_SUITE "unit/fq_routes"
#include <errno.h>
#include <stdio.h>

#include "unit.h"
#include "fq.h"

static const char route[] =
	"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
	"eth0\t00000000\t0100A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
	"eth0\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
	"wg0\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n";

static const char ipv6_route[] =
	"00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     wlan0\n"
	"fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     wlan0\n"
	"00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n";

static FILE *mem(const char *s)
{
	return fmemopen((void *)s, strlen(s), "r");
}

TEST(the_ipv4_and_ipv6_default_routes_name_their_devices)
{
	char devs[GRID_FQ_DEVS_MAX][IF_NAMESIZE];
	FILE *v4 = mem(route), *v6 = mem(ipv6_route);
	unsigned int n = 0;

	CHECK(v4 && v6);
	CHECK(grid_fq_parse_routes(v4, v6, devs, GRID_FQ_DEVS_MAX, &n) == 0);
	fclose(v4);
	fclose(v6);
	CHECK(n == 2);
	CHECK(!strcmp(devs[0], "eth0"));
	CHECK(!strcmp(devs[1], "wlan0"));
}

TEST(a_device_with_both_default_routes_is_named_once)
{
	static const char v6s[] =
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 eth0\n";
	char devs[GRID_FQ_DEVS_MAX][IF_NAMESIZE];
	FILE *v4 = mem(route), *v6 = mem(v6s);
	unsigned int n = 0;

	CHECK(grid_fq_parse_routes(v4, v6, devs, GRID_FQ_DEVS_MAX, &n) == 0);
	fclose(v4);
	fclose(v6);
	CHECK(n == 1 && !strcmp(devs[0], "eth0"));
}

TEST(no_default_route_names_no_device)
{
	static const char v4s[] =
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
		"a0\t00090A0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
	char devs[GRID_FQ_DEVS_MAX][IF_NAMESIZE];
	FILE *v4 = mem(v4s);
	unsigned int n = 1;

	CHECK(grid_fq_parse_routes(v4, NULL, devs, GRID_FQ_DEVS_MAX, &n) == 0);
	fclose(v4);
	CHECK(n == 0);
}

TEST(a_default_route_that_is_down_or_unreachable_is_skipped)
{
	static const char v4s[] =
		"eth1\t00000000\t0100A8C0\t0002\t0\t0\t100\t00000000\t0\t0\t0\n"
		"eth2\t00000000\t00000000\t0201\t0\t0\t100\t00000000\t0\t0\t0\n";
	char devs[GRID_FQ_DEVS_MAX][IF_NAMESIZE];
	FILE *v4 = mem(v4s);
	unsigned int n = 1;

	CHECK(grid_fq_parse_routes(v4, NULL, devs, GRID_FQ_DEVS_MAX, &n) == 0);
	fclose(v4);
	CHECK(n == 0);
}

TEST(no_more_devices_than_asked_for)
{
	char devs[1][IF_NAMESIZE];
	FILE *v4 = mem(route), *v6 = mem(ipv6_route);
	unsigned int n = 0;

	CHECK(grid_fq_parse_routes(v4, v6, devs, 1, &n) == 0);
	fclose(v4);
	fclose(v6);
	CHECK(n == 1 && !strcmp(devs[0], "eth0"));
}

/* Stuck in another namespace is an error the caller must see. */
TEST(a_failed_return_to_the_old_network_namespace_is_an_error)
{
	CHECK(grid_netns_leave(-1) == -EBADF);
}
