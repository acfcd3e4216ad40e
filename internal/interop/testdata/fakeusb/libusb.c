/*
 * A stand-in for libusb-1.0 that lets NUT's own usbhid-ups (Debian's
 * binary, unmodified) read a simulated HID UPS, so that the differential
 * tests can give NUT's driver and ours the very same device.
 *
 * The device is a text file named by $FAKEUSB_DEVICE (written by the Go
 * test, read by both drivers):
 *
 *	vendorid 051d
 *	productid 0002
 *	bcddevice 0106
 *	string 1 American Power Conversion    (index, USB string descriptor)
 *	manufacturer 1                         (string indexes of the device
 *	product 2                               descriptor, 0 for none)
 *	serial 3
 *	descriptor 05840904a101...             (the report descriptor, hex)
 *	feature 0c64...                        (a feature report, id first)
 *
 * A feature report the file does not list stalls, as a real device does.
 * SET_REPORT replaces the stored report and appends "set <hex>" to
 * $FAKEUSB_DEVICE.writes, so a test sees what the driver sent. The file
 * is read again when its modification time changes: a test moves the UPS
 * from one state to the next by renaming a new file over it. The
 * interrupt pipe never has data: it times out, as an idle UPS's does.
 *
 * Only what usbhid-ups calls is here; everything else is left out on
 * purpose, so that a call this file does not know fails to link.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libusb-1.0/libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAXREPORT 1024
#define MAXSTRING 256

struct report {
	int len; /* 0: the device has no such report */
	unsigned char data[MAXREPORT];
};

static struct {
	struct timespec mtime;
	struct libusb_device_descriptor dev;
	unsigned char desc[65536];
	int desclen;
	struct report reports[256];
	char *strings[MAXSTRING];
} fake;

/* One device, one handle: their addresses are all that callers keep. */
static int the_device, the_handle;

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* unhex decodes s into out (at most max bytes); -1 on a bad digit. */
static int unhex(const char *s, unsigned char *out, int max)
{
	int n = 0;
	while (s[0] && s[0] != '\n') {
		int hi = hexval(s[0]), lo = hexval(s[1]);
		if (hi < 0 || lo < 0 || n == max)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return n;
}

static void die(const char *path, int line, const char *why)
{
	fprintf(stderr, "fakeusb: %s:%d: %s\n", path, line, why);
	exit(2);
}

/* load (re)reads the device file if it changed since the last read. */
static void load(void)
{
	const char *path = getenv("FAKEUSB_DEVICE");
	struct stat st;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	int n = 0;

	if (!path)
		die("(unset)", 0, "FAKEUSB_DEVICE names no file");
	if (stat(path, &st) != 0)
		die(path, 0, strerror(errno));
	if (st.st_mtim.tv_sec == fake.mtime.tv_sec && st.st_mtim.tv_nsec == fake.mtime.tv_nsec)
		return;
	f = fopen(path, "r");
	if (!f)
		die(path, 0, strerror(errno));
	for (int i = 0; i < MAXSTRING; i++) {
		free(fake.strings[i]);
		fake.strings[i] = NULL;
	}
	memset(fake.reports, 0, sizeof(fake.reports));
	memset(&fake.dev, 0, sizeof(fake.dev));
	fake.dev.bLength = LIBUSB_DT_DEVICE_SIZE;
	fake.dev.bDescriptorType = LIBUSB_DT_DEVICE;
	fake.dev.bcdUSB = 0x0110;
	fake.dev.bMaxPacketSize0 = 8;
	fake.dev.bNumConfigurations = 1;
	fake.desclen = 0;

	while (getline(&line, &cap, f) > 0) {
		char key[32];
		int off = 0;
		unsigned v;
		n++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%31s %n", key, &off) != 1)
			die(path, n, "no key");
		char *val = line + off;
		if (!strcmp(key, "vendorid") && sscanf(val, "%x", &v) == 1)
			fake.dev.idVendor = (uint16_t)v;
		else if (!strcmp(key, "productid") && sscanf(val, "%x", &v) == 1)
			fake.dev.idProduct = (uint16_t)v;
		else if (!strcmp(key, "bcddevice") && sscanf(val, "%x", &v) == 1)
			fake.dev.bcdDevice = (uint16_t)v;
		else if (!strcmp(key, "manufacturer") && sscanf(val, "%u", &v) == 1)
			fake.dev.iManufacturer = (uint8_t)v;
		else if (!strcmp(key, "product") && sscanf(val, "%u", &v) == 1)
			fake.dev.iProduct = (uint8_t)v;
		else if (!strcmp(key, "serial") && sscanf(val, "%u", &v) == 1)
			fake.dev.iSerialNumber = (uint8_t)v;
		else if (!strcmp(key, "string") && sscanf(val, "%u %n", &v, &off) == 1 && v > 0 && v < MAXSTRING) {
			fake.strings[v] = strdup(val + off);
			fake.strings[v][strcspn(fake.strings[v], "\n")] = 0;
		} else if (!strcmp(key, "descriptor")) {
			fake.desclen = unhex(val, fake.desc, sizeof(fake.desc));
			if (fake.desclen <= 0)
				die(path, n, "bad descriptor hex");
		} else if (!strcmp(key, "feature")) {
			struct report r;
			r.len = unhex(val, r.data, MAXREPORT);
			if (r.len <= 0)
				die(path, n, "bad report hex");
			fake.reports[r.data[0]] = r;
		} else
			die(path, n, "unknown key or bad value");
	}
	free(line);
	fclose(f);
	fake.mtime = st.st_mtim;
}

/* record appends what the driver wrote to the device to the writes file. */
static void record(const unsigned char *data, int len)
{
	char path[4096];
	FILE *f;
	snprintf(path, sizeof(path), "%s.writes", getenv("FAKEUSB_DEVICE"));
	f = fopen(path, "a");
	if (!f)
		return;
	fputs("set ", f);
	for (int i = 0; i < len; i++)
		fprintf(f, "%02x", data[i]);
	fputc('\n', f);
	fclose(f);
}

int LIBUSB_CALL libusb_init(libusb_context **ctx)
{
	if (ctx)
		*ctx = NULL;
	load();
	return LIBUSB_SUCCESS;
}

void LIBUSB_CALL libusb_exit(libusb_context *ctx)
{
	(void)ctx;
}

const struct libusb_version *LIBUSB_CALL libusb_get_version(void)
{
	static const struct libusb_version v = {1, 0, 26, 0, "", "fake"};
	return &v;
}

const char *LIBUSB_CALL libusb_strerror(int code)
{
	switch (code) {
	case LIBUSB_SUCCESS: return "Success";
	case LIBUSB_ERROR_IO: return "Input/Output Error";
	case LIBUSB_ERROR_NOT_FOUND: return "Entity not found";
	case LIBUSB_ERROR_TIMEOUT: return "Operation timed out";
	case LIBUSB_ERROR_PIPE: return "Pipe error";
	case LIBUSB_ERROR_NOT_SUPPORTED: return "Operation not supported or unimplemented on this platform";
	default: return "Other error";
	}
}

ssize_t LIBUSB_CALL libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
	static libusb_device *devs[2];
	(void)ctx;
	load();
	devs[0] = (libusb_device *)&the_device;
	devs[1] = NULL;
	*list = devs;
	return 1;
}

void LIBUSB_CALL libusb_free_device_list(libusb_device **list, int unref)
{
	(void)list;
	(void)unref;
}

int LIBUSB_CALL libusb_get_device_descriptor(libusb_device *dev, struct libusb_device_descriptor *desc)
{
	(void)dev;
	*desc = fake.dev;
	return LIBUSB_SUCCESS;
}

uint8_t LIBUSB_CALL libusb_get_bus_number(libusb_device *dev)
{
	(void)dev;
	return 1;
}

int LIBUSB_CALL libusb_open(libusb_device *dev, libusb_device_handle **handle)
{
	(void)dev;
	*handle = (libusb_device_handle *)&the_handle;
	return LIBUSB_SUCCESS;
}

void LIBUSB_CALL libusb_close(libusb_device_handle *handle)
{
	(void)handle;
}

int LIBUSB_CALL libusb_get_string_descriptor_ascii(libusb_device_handle *handle, uint8_t index, unsigned char *data, int length)
{
	(void)handle;
	load();
	if (index == 0 || !fake.strings[index])
		return LIBUSB_ERROR_PIPE;
	snprintf((char *)data, (size_t)length, "%s", fake.strings[index]);
	return (int)strlen((char *)data);
}

/*
 * The configuration descriptor carries the HID class descriptor in the
 * interface's extra bytes, where usbhid-ups finds the length of the
 * report descriptor.
 */
int LIBUSB_CALL libusb_get_config_descriptor(libusb_device *dev, uint8_t index, struct libusb_config_descriptor **config)
{
	/* Every interface is the UPS's: some subdrivers (Arduino) ask for
	 * the HID interface by another number than 0. */
	enum { NIFACE = 4 };
	static unsigned char hid[9];
	static struct libusb_endpoint_descriptor ep = {
		LIBUSB_DT_ENDPOINT_SIZE, LIBUSB_DT_ENDPOINT, 0x81, LIBUSB_TRANSFER_TYPE_INTERRUPT, 8, 10, 0, 0, NULL, 0};
	static struct libusb_interface_descriptor alt[NIFACE];
	static struct libusb_interface iface[NIFACE];
	static struct libusb_config_descriptor conf = {
		LIBUSB_DT_CONFIG_SIZE, LIBUSB_DT_CONFIG, 34, NIFACE, 1, 0, 0x80, 50, iface, NULL, 0};
	(void)dev;
	if (index >= NIFACE)
		return LIBUSB_ERROR_NOT_FOUND;
	load();
	hid[0] = 9;
	hid[1] = LIBUSB_DT_HID;
	hid[2] = 0x10;
	hid[3] = 0x01;
	hid[4] = 0;
	hid[5] = 1;
	hid[6] = LIBUSB_DT_REPORT;
	hid[7] = (unsigned char)(fake.desclen & 0xff);
	hid[8] = (unsigned char)(fake.desclen >> 8);
	for (int i = 0; i < NIFACE; i++) {
		struct libusb_interface_descriptor a = {
			LIBUSB_DT_INTERFACE_SIZE, LIBUSB_DT_INTERFACE, (uint8_t)i, 0, 1, LIBUSB_CLASS_HID, 0, 0, 0, &ep, hid, sizeof(hid)};
		alt[i] = a;
		iface[i].altsetting = &alt[i];
		iface[i].num_altsetting = 1;
	}
	*config = &conf;
	return LIBUSB_SUCCESS;
}

void LIBUSB_CALL libusb_free_config_descriptor(struct libusb_config_descriptor *config)
{
	(void)config;
}

int LIBUSB_CALL libusb_kernel_driver_active(libusb_device_handle *handle, int iface)
{
	(void)handle;
	(void)iface;
	return 0;
}

int LIBUSB_CALL libusb_detach_kernel_driver(libusb_device_handle *handle, int iface)
{
	(void)handle;
	(void)iface;
	return LIBUSB_ERROR_NOT_FOUND;
}

int LIBUSB_CALL libusb_set_auto_detach_kernel_driver(libusb_device_handle *handle, int enable)
{
	(void)handle;
	(void)enable;
	return LIBUSB_SUCCESS;
}

int LIBUSB_CALL libusb_claim_interface(libusb_device_handle *handle, int iface)
{
	(void)handle;
	return iface >= 0 && iface < 4 ? LIBUSB_SUCCESS : LIBUSB_ERROR_NOT_FOUND;
}

int LIBUSB_CALL libusb_set_interface_alt_setting(libusb_device_handle *handle, int iface, int alt)
{
	(void)handle;
	(void)iface;
	(void)alt;
	return LIBUSB_SUCCESS;
}

int LIBUSB_CALL libusb_clear_halt(libusb_device_handle *handle, unsigned char endpoint)
{
	(void)handle;
	(void)endpoint;
	return LIBUSB_SUCCESS;
}

int LIBUSB_CALL libusb_control_transfer(libusb_device_handle *handle, uint8_t type, uint8_t request,
	uint16_t value, uint16_t index, unsigned char *data, uint16_t length, unsigned int timeout)
{
	const uint8_t std_in = LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_STANDARD | LIBUSB_RECIPIENT_INTERFACE;
	const uint8_t class_in = LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE;
	const uint8_t class_out = LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE;
	int id = value & 0xff, kind = value >> 8;
	(void)handle;
	(void)timeout;
	if (index >= 4)
		return LIBUSB_ERROR_PIPE;
	load();
	if (type == std_in && request == LIBUSB_REQUEST_GET_DESCRIPTOR && kind == LIBUSB_DT_REPORT && id == 0) {
		int n = length < fake.desclen ? length : fake.desclen;
		memcpy(data, fake.desc, (size_t)n);
		return n;
	}
	if (type == std_in && request == LIBUSB_REQUEST_GET_DESCRIPTOR && kind == LIBUSB_DT_HID && id == 0) {
		struct libusb_config_descriptor *c;
		libusb_get_config_descriptor(NULL, 0, &c);
		int n = length < 9 ? length : 9;
		memcpy(data, c->interface[0].altsetting[0].extra, (size_t)n);
		return n;
	}
	/* HID class requests on feature reports (type 3): GET_REPORT, SET_REPORT */
	if (kind == 3 && type == class_in && request == 0x01) {
		struct report *r = &fake.reports[id];
		if (r->len == 0)
			return LIBUSB_ERROR_PIPE;
		int n = length < r->len ? length : r->len;
		memcpy(data, r->data, (size_t)n);
		return n;
	}
	if (kind == 3 && type == class_out && request == 0x09) {
		struct report *r = &fake.reports[id];
		if (r->len == 0 || length == 0 || length > MAXREPORT)
			return LIBUSB_ERROR_PIPE;
		record(data, length);
		memcpy(r->data, data, length);
		r->len = length;
		return length;
	}
	return LIBUSB_ERROR_PIPE;
}

int LIBUSB_CALL libusb_interrupt_transfer(libusb_device_handle *handle, unsigned char endpoint,
	unsigned char *data, int length, int *transferred, unsigned int timeout)
{
	struct timespec ts = {timeout / 1000, (long)(timeout % 1000) * 1000000L};
	(void)handle;
	(void)endpoint;
	(void)data;
	(void)length;
	*transferred = 0;
	nanosleep(&ts, NULL);
	return LIBUSB_ERROR_TIMEOUT;
}
