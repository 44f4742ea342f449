/* confdefs.h */
#define PACKAGE_NAME "wafersim"
#define PACKAGE_TARNAME "wafersim"
#define PACKAGE_VERSION "0.1.0"
#define PACKAGE_STRING "wafersim 0.1.0"
#define PACKAGE_BUGREPORT ""
#define PACKAGE_URL ""
#define PACKAGE "wafersim"
#define VERSION "0.1.0"
#define WS_HAVE_OPT_EXPERT_AFFINE 1
#define WS_HAVE_OPT_LINK_WIDENING 1
#define WS_HAVE_OPT_MIGRATION 1
#define NDEBUG_WS 1
